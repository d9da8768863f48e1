package org.ipclab.pipe;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.ipclab.core.Channel;
import org.ipclab.core.ChannelSpec;

/** Test helper run as the child: connects, then writes junk to System.out and straight to fd 1, then sends one message. */
public final class NoisyChild {
    private NoisyChild() {
    }

    public static void main(String[] args) throws Exception {
        try (Channel ch = new PipeProvider().connect(ChannelSpec.of("pipe"), Duration.ofSeconds(10))) {
            System.out.println("junk via System.out");
            System.out.flush();
            try (FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out)) {
                fd1.write("junk via fd 1\n".getBytes(StandardCharsets.UTF_8));
            }
            ch.send(ByteBuffer.wrap("the only message".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(10));
            ByteBuffer in = ByteBuffer.allocate(64);
            ch.receive(in, Duration.ofSeconds(10)); // until the parent closes: END_OF_STREAM
        }
    }
}
