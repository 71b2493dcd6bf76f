package io.updraft.healthmanager.analysis;

/** One index of one app version: the unit the crash policy and start requests track. */
public record IndexKey(String app, String version, int index) {
}
