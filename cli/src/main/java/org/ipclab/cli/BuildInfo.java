package org.ipclab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import picocli.CommandLine;

/**
 * Which build this is and which libraries it carries, each library's version read from its own
 * Maven metadata inside the jar (not from our pom), so a result names what really ran.
 */
final class BuildInfo {
    private static final Properties BUILD = load("/org/ipclab/cli/build.properties");

    private BuildInfo() {
    }

    static String version() {
        return value("version", "dev");
    }

    /** {@code git describe --always --dirty} at build time; "unknown" when built outside a git clone. */
    static String commit() {
        return value("commit", "unknown");
    }

    static String buildTime() {
        return value("buildTime", "unknown");
    }

    /** Library → version, "absent" when its metadata is not on the class path. */
    static Map<String, String> libraries() {
        Map<String, String> libs = new LinkedHashMap<>();
        libs.put("HdrHistogram", mavenVersion("org.hdrhistogram", "HdrHistogram"));
        libs.put("Chronicle Queue", mavenVersion("net.openhft", "chronicle-queue"));
        libs.put("junixsocket", mavenVersion("com.kohlschutter.junixsocket", "junixsocket-common"));
        libs.put("jnr-posix", mavenVersion("com.github.jnr", "jnr-posix"));
        libs.put("jnr-ffi", mavenVersion("com.github.jnr", "jnr-ffi"));
        libs.put("picocli", CommandLine.VERSION); // picocli's jar has no pom.properties; this is its own constant
        return libs;
    }

    static String mavenVersion(String group, String artifact) {
        Properties p = load("/META-INF/maven/" + group + "/" + artifact + "/pom.properties");
        return p.getProperty("version", "absent");
    }

    static String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")";
    }

    private static String value(String key, String fallback) {
        String v = BUILD.getProperty(key);
        return v == null || v.isBlank() || v.startsWith("${") ? fallback : v;
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(resource)) {
            if (in != null) p.load(in);
        } catch (IOException ignored) {
            // an unreadable resource is reported as "absent"/"unknown"
        }
        return p;
    }
}
