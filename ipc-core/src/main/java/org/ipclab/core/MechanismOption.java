package org.ipclab.core;

/** An option a mechanism understands, for validation and for {@code ipc list --verbose}. */
public record MechanismOption(String name, String defaultValue, String description) {
}
