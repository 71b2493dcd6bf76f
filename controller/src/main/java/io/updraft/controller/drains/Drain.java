package io.updraft.controller.drains;

/**
 * A log drain as stored: the app's lines go to {@code url}.
 *
 * @param appName the app's name (the syslog APP-NAME)
 * @param createdAt Unix seconds
 * @param dropped lines given up on so far (as last added up in the database)
 */
public record Drain(long id, long appId, String appName, String name, String url,
    long createdAt, long dropped) {
}
