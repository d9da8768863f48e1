package org.ipclab.cli;

import java.util.concurrent.Callable;

import org.ipclab.core.BadInputException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the shell completion script for ipc.",
                "bash: eval \"$(ipc completion bash)\" or save it to ~/.local/share/bash-completion/completions/ipc;",
                "zsh: source <(ipc completion zsh). The packages install both."})
final class CompletionCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    String shell;

    @Override
    public Integer call() {
        if (!Completion.SHELLS.contains(shell)) {
            throw new BadInputException("shell '" + shell + "' is not supported: " + String.join(", ", Completion.SHELLS));
        }
        System.out.print(Completion.script(shell));
        System.out.flush();
        return ExitCodes.OK;
    }
}
