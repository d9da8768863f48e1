package org.ipclab.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    static String version() {
        return BuildInfo.version();
    }

    @Override
    public String[] getVersion() {
        List<String> lines = new ArrayList<>();
        lines.add("ipclab " + version() + " (commit " + BuildInfo.commit() + ", built " + BuildInfo.buildTime() + ")");
        lines.add("JDK: " + BuildInfo.jdk());
        BuildInfo.libraries().forEach((lib, v) -> lines.add(String.format("%-16s %s", lib + ":", v)));
        return lines.toArray(String[]::new);
    }
}
