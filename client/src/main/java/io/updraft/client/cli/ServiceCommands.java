package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.client.api.CloudClient;
import io.updraft.common.protocol.Json;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Data services: what the cloud offers, what you provisioned, binding to apps. */
final class ServiceCommands {

  private ServiceCommands() {
  }

  @Command(name = "services", description = "List the service types offered (available or "
      + "unavailable) and your provisioned services.",
      footer = {"", "Example:", "  updraft services"})
  static final class Services extends Base {
    @Override
    void run() {
      CloudClient cloud = session.loggedIn();
      JsonNode offerings = cloud.serviceOfferings();
      List<JsonNode> mine = cloud.services();
      if (json) {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.set("offerings", offerings);
        ArrayNode arr = doc.putArray("services");
        mine.forEach(arr::add);
        out().json(doc);
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      offerings.fields().forEachRemaining(category -> category.getValue().fields()
          .forEachRemaining(vendor -> vendor.getValue().fields().forEachRemaining(v -> {
            JsonNode o = v.getValue();
            List<String> plans = new ArrayList<>();
            o.path("tiers").fieldNames().forEachRemaining(plans::add);
            rows.add(List.of(vendor.getKey(), v.getKey(),
                plans.isEmpty() ? "-" : String.join(", ", plans),
                o.path("state").asText("available"), o.path("description").asText("")));
          })));
      out().line(out().bold("Offered services"));
      out().table(List.of("service", "version", "plans", "state", "description"), rows);
      out().line("");
      out().line(out().bold("Provisioned services"));
      if (mine.isEmpty()) {
        out().line("None yet: 'updraft create-service postgresql mydb' makes one.");
        return;
      }
      List<List<String>> own = new ArrayList<>();
      for (JsonNode s : mine) {
        List<String> apps = new ArrayList<>();
        s.path("bound_apps").forEach(a -> apps.add(a.asText()));
        own.add(List.of(s.path("name").asText(), s.path("vendor").asText() + " "
            + s.path("version").asText(), s.path("tier").asText(),
            s.path("state").asText("available"), apps.isEmpty() ? "-" : String.join(", ", apps)));
      }
      out().table(List.of("name", "service", "plan", "state", "bound apps"), own);
    }
  }

  @Command(name = "create-service", description = "Provision a service: postgresql, mysql, "
      + "redis or filesystem.",
      footer = {"", "Examples:", "  updraft create-service postgresql blogdb",
          "  updraft create-service redis --plan free"})
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "TYPE")
    String type;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME",
        description = "default: TYPE-<4 hex digits>")
    String name;

    @Option(names = "--plan", defaultValue = "free", description = "default: ${DEFAULT-VALUE}")
    String plan;

    @Override
    void run() {
      String service = name != null ? name : type + "-" + suffix();
      JsonNode created = session.loggedIn().createService(type, service, plan);
      if (json) {
        out().json(created);
        return;
      }
      out().line("Created " + type + " service '" + service + "' (plan " + plan + "); bind it "
          + "with 'updraft bind-service " + service + " APP'");
    }

    private static String suffix() {
      byte[] b = new byte[2];
      new SecureRandom().nextBytes(b);
      return HexFormat.of().formatHex(b);
    }
  }

  @Command(name = "delete-service", description = "Delete a service and its data.",
      footer = {"", "Examples:", "  updraft delete-service blogdb",
          "  updraft delete-service blogdb --force   # unbinds it from its apps first"})
  static final class Delete extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--force"}, description = "delete even while bound: unbind first")
    boolean force;

    @Override
    void run() {
      session.loggedIn().deleteService(name, force);
      out().line("Deleted service '" + name + "'");
    }
  }

  @Command(name = "bind-service", description = "Bind a service to an app; a running app "
      + "restarts to see it in VCAP_SERVICES.",
      footer = {"", "Example:", "  updraft bind-service blogdb blog"})
  static final class Bind extends Base {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", paramLabel = "APP")
    String app;

    @Override
    void run() {
      session.loggedIn().bindService(service, app);
      out().line("Bound '" + service + "' to " + app);
    }
  }

  @Command(name = "unbind-service", description = "Unbind a service from an app; its "
      + "credentials are revoked and a running app restarts without them.",
      footer = {"", "Example:", "  updraft unbind-service blogdb blog"})
  static final class Unbind extends Base {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", paramLabel = "APP")
    String app;

    @Override
    void run() {
      session.loggedIn().unbindService(service, app);
      out().line("Unbound '" + service + "' from " + app);
    }
  }
}
