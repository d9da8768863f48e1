package org.ipclab.labs.lab9;

import org.ipclab.labs.support.PosixMq;

/** Lab 9 reference solution, task 4. */
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
            PosixMq.close(mqd); // the descriptor goes; the queue and its messages stay until mq_unlink
        }
        System.out.println("sent " + k);
    }
}
