package io.updraft.controller.services;

/**
 * The controller's services gateway parts, built once by the controller's bootstrap and handed
 * to the API: node announcements, the database records, the node calls, and app bindings.
 */
public record Services(ServiceRegistry registry, ServiceStore store, ServiceBroker broker,
    ServiceBindings bindings) {
}
