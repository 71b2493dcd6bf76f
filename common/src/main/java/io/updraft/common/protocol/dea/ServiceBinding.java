package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import java.util.List;
import java.util.Map;

/**
 * One bound service instance, as the controller lists it in {@code dea.<uuid>.start} and in
 * the staging request's {@code properties.services} (PROTOCOL.md 3.5, 7.2). The DEA builds
 * {@code VCAP_SERVICES} and {@code DATABASE_URL}-style variables from it.
 *
 * <pre>{"name":"blogdb","label":"mysql-5.1","vendor":"mysql","version":"5.1","type":"database",
 * "tags":["mysql"],"plan":"free","credentials":{"hostname":"10.0.0.9","port":3306,"user":"u1",
 * "password":"p9"}}</pre>
 *
 * @param name the user's alias for the service instance
 * @param label {@code <vendor>-<version>}, e.g. {@code mysql-5.1}
 * @param vendor service name, e.g. {@code mysql}
 * @param type synthesised category: {@code database}, {@code key-value}, {@code document} or
 *     {@code generic}
 * @param credentials what the service node returned at bind time; secret, never logged
 * @param options binding options given at bind time (G3; not written when empty)
 */
public record ServiceBinding(
    @JsonProperty("name") String name,
    @JsonProperty("label") String label,
    @JsonProperty("vendor") String vendor,
    @JsonProperty("version") String version,
    @JsonProperty("type") String type,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("plan") String plan,
    @JsonProperty("plan_option") String planOption,
    @JsonProperty("credentials") Map<String, Object> credentials,
    @JsonProperty("options") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    Map<String, Object> options) {

  public ServiceBinding {
    tags = Immutable.list(tags);
    credentials = Immutable.map(credentials);
    options = Immutable.map(options);
  }

  /** Without credentials or options, which hold secrets. */
  @Override
  public String toString() {
    return "ServiceBinding{name=" + name + ", label=" + label + ", plan=" + plan + "}";
  }
}
