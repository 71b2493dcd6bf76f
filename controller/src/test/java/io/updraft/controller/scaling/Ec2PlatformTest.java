package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static io.updraft.controller.scaling.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.config.ConfigException;
import io.updraft.controller.scaling.StubHttpServer.Response;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract test of the {@code ec2} platform against a stub answering with the EC2 Query API's
 * XML shapes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/): the form parameters
 * the SDK sends, its SigV4 signature, and each error code.
 */
class Ec2PlatformTest {

  private static final String ACCESS_KEY = "AKIDEXAMPLE";
  private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

  private Vertx vertx;
  private StubHttpServer stub;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    stub = new StubHttpServer();
    stub.route("POST /", r -> switch (form(r.body()).get("Action")) {
      case "RunInstances" -> Response.xml(200, runInstances(
          Integer.parseInt(form(r.body()).get("MinCount"))));
      case "TerminateInstances" -> Response.xml(200, """
          <?xml version="1.0" encoding="UTF-8"?>
          <TerminateInstancesResponse xmlns="%s">
            <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
            <instancesSet><item><instanceId>%s</instanceId>
              <currentState><code>32</code><name>shutting-down</name></currentState>
              <previousState><code>16</code><name>running</name></previousState>
            </item></instancesSet>
          </TerminateInstancesResponse>
          """.formatted(NS, form(r.body()).get("InstanceId.1")));
      default -> error(400, "InvalidAction", "unexpected action");
    });
  }

  @AfterEach
  void stop() throws Exception {
    stub.close();
    await(vertx.close());
  }

  private static String runInstances(int count) {
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < count; i++) {
      items.append("""
          <item><instanceId>i-0abc%d</instanceId><imageId>ami-0dea</imageId>
            <instanceState><code>0</code><name>pending</name></instanceState>
            <privateDnsName/><dnsName/><amiLaunchIndex>%d</amiLaunchIndex>
            <instanceType>m5.large</instanceType>
            <placement><availabilityZone>us-east-1a</availabilityZone><tenancy>default</tenancy></placement>
            <subnetId>subnet-0123</subnetId><privateIpAddress>10.0.1.%d</privateIpAddress></item>
          """.formatted(i, i, 10 + i));
    }
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <RunInstancesResponse xmlns="%s">
          <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
          <reservationId>r-1234567890abcdef0</reservationId>
          <ownerId>123456789012</ownerId>
          <groupSet/>
          <instancesSet>%s</instancesSet>
        </RunInstancesResponse>
        """.formatted(NS, items);
  }

  private static Response error(int status, String code, String message) {
    return Response.xml(status, """
        <?xml version="1.0" encoding="UTF-8"?>
        <Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>
        <RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>
        """.formatted(code, message));
  }

  private static Map<String, String> form(String body) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private Ec2Config config() {
    return new Ec2Config("us-east-1", stub.url(), ACCESS_KEY, SECRET_KEY, "ami-0dea", "m5.large",
        "subnet-0123", List.of("sg-0aaa", "sg-0bbb"), "ops", "updraft-dea", "10.0.5.6", null, 5,
        1);
  }

  @Test
  void runInstancesSendsTheDocumentedParametersSignedWithSigV4() throws Exception {
    Ec2Platform platform = new Ec2Platform(vertx, config());

    List<String> ids = await(platform.launch(2));

    assertThat(ids).containsExactly("i-0abc0", "i-0abc1");
    StubHttpServer.Request request = stub.requests("POST /").get(0);
    Map<String, String> p = form(request.body());
    assertThat(p).containsEntry("Action", "RunInstances").containsEntry("Version", "2016-11-15")
        .containsEntry("ImageId", "ami-0dea").containsEntry("InstanceType", "m5.large")
        .containsEntry("MinCount", "2").containsEntry("MaxCount", "2")
        .containsEntry("SubnetId", "subnet-0123").containsEntry("SecurityGroupId.1", "sg-0aaa")
        .containsEntry("SecurityGroupId.2", "sg-0bbb").containsEntry("KeyName", "ops")
        .containsEntry("TagSpecification.1.ResourceType", "instance")
        .containsEntry("TagSpecification.1.Tag.1.Key", "Name")
        .containsEntry("TagSpecification.1.Tag.1.Value", "updraft-dea");
    String userData = new String(Base64.getDecoder().decode(p.get("UserData")),
        StandardCharsets.UTF_8);
    assertThat(userData).startsWith("#cloud-config")
        .contains("[kato, attach, -e, dea, '10.0.5.6']");
    assertThat(request.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
    assertThat(request.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential="
        + ACCESS_KEY + "/").contains("/us-east-1/ec2/aws4_request").contains("Signature=")
        .doesNotContain(SECRET_KEY);
    assertThat(request.header("X-Amz-Date")).isNotBlank();
  }

  @Test
  void terminateInstancesNamesTheInstance() throws Exception {
    await(new Ec2Platform(vertx, config()).terminate("i-0abc0"));

    assertThat(form(stub.requests("POST /").get(0).body()))
        .containsEntry("Action", "TerminateInstances").containsEntry("InstanceId.1", "i-0abc0");
  }

  @Test
  void authFailureIsTheReasonWithoutTheSecret() {
    stub.route("POST /", error(401, "AuthFailure",
        "AWS was not able to validate the provided access credentials"));

    Throwable e = failure(new Ec2Platform(vertx, config()).launch(1));

    assertThat(e.getMessage()).contains("RunInstances refused (401)")
        .contains("AuthFailure: AWS was not able to validate the provided access credentials")
        .doesNotContain(SECRET_KEY);
  }

  @Test
  void instanceLimitExceededIsTheReason() {
    stub.route("POST /", error(400, "InstanceLimitExceeded", "Your quota allows for 0 more "
        + "running instance(s). You requested at least 1"));

    Throwable e = failure(new Ec2Platform(vertx, config()).launch(1));

    assertThat(e.getMessage()).contains("InstanceLimitExceeded: Your quota allows for 0 more");
  }

  @Test
  void insufficientCapacityIsTheReason() {
    stub.route("POST /", error(500, "InsufficientInstanceCapacity", "We currently do not have "
        + "sufficient m5.large capacity in the Availability Zone you requested (us-east-1a)."));

    Throwable e = failure(new Ec2Platform(vertx, config()).launch(1));

    assertThat(e.getMessage()).contains("(500)")
        .contains("InsufficientInstanceCapacity: We currently do not have sufficient m5.large");
    assertThat(stub.requests("POST /")).as("max_attempts: 1").hasSize(1);
  }

  @Test
  void aSilentEndpointIsATimeout() {
    stub.hang("POST /");
    Ec2Config quick = new Ec2Config("us-east-1", stub.url(), ACCESS_KEY, SECRET_KEY, "ami-0dea",
        "m5.large", null, null, null, null, "10.0.5.6", null, 1, 1);

    Throwable e = failure(new Ec2Platform(vertx, quick).launch(1));

    assertThat(e.getMessage()).startsWith("ec2: RunInstances").containsIgnoringCase("time");
  }

  @Test
  void theSdkRunsOffTheEventLoopAndCompletesBackOnTheCallersContext() throws Exception {
    Ec2Platform platform = new Ec2Platform(vertx, config());
    Context context = vertx.getOrCreateContext();
    Promise<Boolean> onCaller = Promise.promise();
    AtomicBoolean loopFree = new AtomicBoolean();
    context.runOnContext(v -> {
      Future<List<String>> launch = platform.launch(1);
      // the event loop is not held by the SDK call: this runs before the launch completes
      context.runOnContext(w -> loopFree.set(!launch.isComplete()));
      launch.onComplete(r -> onCaller.complete(Vertx.currentContext() == context
          && Context.isOnEventLoopThread() && r.succeeded()));
    });

    assertThat(await(onCaller.future())).isTrue();
    assertThat(loopFree).isTrue();
  }

  @Test
  void theConfigFileIsReadAndItsSecretIsNotShown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ec2_config.yml");
    Files.writeString(file, """
        region: eu-west-1
        access_key_id: %s
        secret_access_key: %s
        ami: ami-0dea
        instance_type: m5.large
        subnet_id: subnet-0123
        security_group_ids: [sg-0aaa]
        """.formatted(ACCESS_KEY, SECRET_KEY));
    Path halfCredentials = dir.resolve("half.yml");
    Files.writeString(halfCredentials, "region: eu-west-1\naccess_key_id: x\nami: a\n"
        + "instance_type: t3.micro\n");

    Ec2Config c = Ec2Config.load(file.toString());

    assertThat(c.name()).isEqualTo("updraft-dea");
    assertThat(c.maxAttempts()).isEqualTo(3);
    assertThat(c.toString()).contains(ACCESS_KEY).doesNotContain(SECRET_KEY);
    assertThatThrownBy(() -> Ec2Config.load(halfCredentials.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ec2_config")
        .hasMessageContaining("both access_key_id and secret_access_key");
  }
}
