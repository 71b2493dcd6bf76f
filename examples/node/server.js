// Updraft example: answers every request with the app's name, instance index and port.
const http = require('http');

const vcap = JSON.parse(process.env.VCAP_APPLICATION || '{}');
const port = Number(process.env.PORT || process.env.VCAP_APP_PORT || 8080);

http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`Hello from node: app=${vcap.name ?? '?'} instance=${vcap.instance_index ?? '?'} port=${port}\n`);
}).listen(port, '0.0.0.0', () => console.log(`listening on port ${port}`));
