package org.ipclab.labs.lab9;

import org.ipclab.labs.support.PosixMq;

/** Lab 9 mutant: Producer removes the queue it should leave. */
public final class Producer {
    private Producer() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int k = Integer.parseInt(args[1]);
        int mqd = Queues.create(name, k, 64);
        try {
            for (int i = 0; i < k; i++) Queues.send(mqd, "message " + i, 0);
        } finally {
            PosixMq.close(mqd);
            Queues.remove(name); // Wrong: "tidy", but the queue was meant to outlive its creator
        }
        System.out.println("sent " + k);
    }
}
