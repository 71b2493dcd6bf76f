package io.updraft.controller.apps;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The CF v1 app document (PROTOCOL.md 13.1) that {@code vmc} and the Stackato CLI read. */
public final class AppJson {

  private AppJson() {
  }

  /**
   * @param runningInstances RUNNING instances of the current version per the health manager,
   *     null when it did not answer (clients then show N/A)
   */
  public static Map<String, Object> render(App app, Integer runningInstances,
      List<String> services) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", app.name());
    // Updraft addition: the id DEAs and the health manager know the app by (droplet)
    doc.put("id", String.valueOf(app.id()));
    Map<String, Object> staging = new LinkedHashMap<>();
    staging.put("model", app.framework());
    staging.put("stack", app.runtime());
    if (app.command() != null) {
      staging.put("command", app.command());
    }
    doc.put("staging", staging);
    doc.put("uris", app.uris());
    doc.put("instances", app.instances());
    doc.put("runningInstances", app.started() ? runningInstances : Integer.valueOf(0));
    doc.put("resources", Map.of("memory", app.memoryMb(), "disk", app.diskMb(),
        "fds", app.fds()));
    doc.put("state", app.state());
    doc.put("services", services);
    doc.put("version", app.version());
    doc.put("env", app.env());
    Map<String, Object> meta = new LinkedHashMap<>(app.meta());
    meta.put("version", app.lockVersion());
    meta.put("created", app.createdAt());
    doc.put("meta", meta);
    return doc;
  }
}
