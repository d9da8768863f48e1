package org.ipclab.cli;

import java.io.PrintWriter;

import org.ipclab.core.BadInputException;
import org.ipclab.core.ExitCleanup;
import org.ipclab.core.peer.PeerMain;

import picocli.CommandLine;

/** Entry point of the {@code ipc} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        // The hidden peer command bypasses picocli: its stdout may be the pipe under test.
        if (args.length > 0 && args[0].equals("peer")) return PeerMain.run(args);
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new IpcCommand());
        ChannelOptions.install(cl);
        DemoCommand.install(cl.getSubcommands().get("demo"));
        // after every command is added: it covers the whole tree
        cl.setDefaultValueProvider(new UserDefaults(System.getenv())); // IPCLAB_* and ~/.config/ipclab/ipc.properties
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (ExitCleanup.shuttingDown()) return ExitCodes.INTERRUPTED; // Ctrl-C closed what this was using
            PrintWriter err = cmd.getErr();
            if (e instanceof BadInputException) {
                err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            if (e instanceof java.io.IOException) {
                err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            err.println(cmd.getCommandSpec().qualifiedName() + ": internal error: " + e);
            if (Boolean.getBoolean("ipclab.debug")) e.printStackTrace(err);
            return ExitCodes.FAILURE;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": error: " + e.getMessage());
            cmd.getErr().println("Try '" + name + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        return cl;
    }
}
