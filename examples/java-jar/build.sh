#!/bin/sh
# Builds app.jar with the JDK alone (no Maven): ./build.sh, then push this directory.
set -e
cd "$(dirname "$0")"
rm -rf build && mkdir -p build/classes
javac --release 17 -d build/classes src/main/java/io/updraft/examples/hello/HelloServer.java
jar --create --file app.jar --main-class io.updraft.examples.hello.HelloServer -C build/classes .
rm -rf build
echo "built $(pwd)/app.jar"
