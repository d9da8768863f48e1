package org.ipclab.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults a user sets once instead of typing them each time. For option {@code --duration} of
 * {@code ipc bench}, first the environment variable {@code IPCLAB_BENCH_DURATION}, then the key
 * {@code bench.duration} of {@code ~/.config/ipclab/ipc.properties} ({@code $XDG_CONFIG_HOME} is
 * honoured; {@code $IPCLAB_CONFIG} names another file), then the built-in default. The command line
 * wins over all. Where each value came from is remembered for the results ({@link #sourceOf}).
 */
final class UserDefaults implements IDefaultValueProvider {
    private final Map<String, String> env;
    private final Path file;
    private final Properties properties = new Properties();
    private final Map<ArgSpec, String> sources = new ConcurrentHashMap<>();

    UserDefaults(Map<String, String> env) {
        this.env = env;
        this.file = configFile(env);
        if (Files.isReadable(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                properties.load(r);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("ipc: warning: ignoring " + file + ": " + e.getMessage());
            }
        }
    }

    static Path configFile(Map<String, String> env) {
        String explicit = env.get("IPCLAB_CONFIG");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("ipclab").resolve("ipc.properties");
    }

    /** "bench.duration" for {@code ipc bench --duration}; "lab.check.verbose" for a nested command. */
    static String propertyKey(OptionSpec o) {
        CommandSpec cmd = o.command();
        String command = cmd == null ? "" : cmd.qualifiedName(".");
        command = command.equals("ipc") ? "" : command.startsWith("ipc.") ? command.substring(4) + "." : command + ".";
        return command + o.longestName().replaceFirst("^-+", "");
    }

    /** IPCLAB_BENCH_DURATION for bench.duration. */
    static String envName(String key) {
        return "IPCLAB_" + key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o) || o.usageHelp() || o.versionHelp()) return null;
        String key = propertyKey(o);
        String name = envName(key);
        String v = env.get(name);
        if (v != null) {
            sources.put(arg, "env " + name);
            return v;
        }
        v = properties.getProperty(key);
        if (v != null) {
            sources.put(arg, "file " + file + " (" + key + ")");
            return v.trim();
        }
        return null;
    }

    /** "env IPCLAB_…", "file …", or null when neither gave this option its value. */
    String sourceOf(ArgSpec arg) {
        return sources.get(arg);
    }
}
