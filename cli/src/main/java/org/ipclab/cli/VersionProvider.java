package org.ipclab.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"ipclab " + version(),
                "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")};
    }
}
