package org.ipclab.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import org.ipclab.core.BadInputException;

import picocli.CommandLine.Option;

/** Mechanism options shared by bench, serve and connect: {@code --opt key=value} and its common shortcuts. */
final class ChannelOptions {
    @Option(names = "--opt", paramLabel = "KEY=VALUE",
            description = "A mechanism option, repeatable (see 'ipc list --verbose'), e.g. --opt no-delay=false")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--path", paramLabel = "PATH", description = "Socket file or directory to meet at (same as --opt path=PATH)")
    String path;

    @Option(names = "--port", paramLabel = "PORT", description = "TCP/UDP port (same as --opt port=PORT)")
    String port;

    @Option(names = {"--host", "--bind"}, paramLabel = "ADDR", description = "Address to bind or connect to (same as --opt host=ADDR); loopback by default")
    String host;

    Map<String, String> toMap() {
        Map<String, String> all = new LinkedHashMap<>(options);
        put(all, "path", path);
        put(all, "port", port);
        put(all, "host", host);
        return all;
    }

    private static void put(Map<String, String> all, String key, String value) {
        if (value == null) return;
        String before = all.put(key, value);
        if (before != null && !before.equals(value)) {
            throw new BadInputException("--" + key + " " + value + " contradicts --opt " + key + "=" + before);
        }
    }
}
