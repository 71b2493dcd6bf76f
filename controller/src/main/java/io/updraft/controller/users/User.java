package io.updraft.controller.users;

/** A user of the cloud. The password hash never leaves the store. */
public record User(long id, String email, boolean admin) {
}
