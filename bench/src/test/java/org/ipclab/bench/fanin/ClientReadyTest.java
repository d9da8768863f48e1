package org.ipclab.bench.fanin;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The runner's wait for N clients' "ready", over real processes that say it, say something else, or die first. */
class ClientReadyTest {
    private static FanIn.Client client(int number, String script) throws IOException {
        return FanIn.Client.start(number, List.of("sh", "-c", script));
    }

    @Test
    void aClientThatExitsOrSaysSomethingElseFailsAloneAndTheOthersAreWaitedFor() throws IOException {
        List<FanIn.Client> all = List.of(
                client(1, "sleep 0.5; echo ready; read line"),
                client(2, "echo 'no such queue' >&2; exit 3"),
                client(3, "echo nonsense; read line"),
                client(4, "sleep 1; echo ready; read line"));
        try {
            FanIn.Client.awaitReady(all);
            assertNull(all.get(0).error, () -> "ready after 0.5 s: " + all.get(0).error);
            assertNull(all.get(3).error, () -> "ready after 1 s, once the others had failed: " + all.get(3).error);
            String exited = all.get(1).error;
            assertTrue(exited != null && exited.contains("exited with code 3") && exited.contains("it said: no such queue"), exited);
            String said = all.get(2).error;
            assertTrue(said != null && said.contains("said \"nonsense\" instead of ready"), said);
        } finally {
            FanIn.Client.endAll(all);
        }
    }
}
