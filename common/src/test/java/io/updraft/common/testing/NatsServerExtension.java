package io.updraft.common.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real {@link NatsServer} per test class and injects it into test methods,
 * constructors and lifecycle methods that declare a {@code NatsServer} parameter. A test that
 * stopped the server gets it running again before the next test.
 *
 * <pre>
 * &#64;ExtendWith(NatsServerExtension.class)
 * class MyIT {
 *   &#64;Test void works(NatsServer nats) { ... nats.restart(); ... }
 * }
 * </pre>
 */
public final class NatsServerExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(NatsServerExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    server(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    NatsServer server = server(context);
    if (!server.isRunning()) {
      server.restart();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    NatsServer server = context.getStore(NS).remove("server", NatsServer.class);
    if (server != null) {
      server.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == NatsServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context);
  }

  private static NatsServer server(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getParent().isPresent()
        && classContext.getParent().get().getTestClass().isPresent()) {
      classContext = classContext.getParent().get();
    }
    return classContext.getStore(NS).getOrComputeIfAbsent("server", k -> NatsServer.start(),
        NatsServer.class);
  }
}
