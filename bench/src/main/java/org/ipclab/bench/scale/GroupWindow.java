package org.ipclab.bench.scale;

import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicLong;

import org.ipclab.bench.Results;
import org.ipclab.bench.counters.MeasureWindow;

/**
 * One counter window over N pairs measured at once: each pair's runner thread calls its member's
 * {@code begin()} after its warm-up and {@code end()} after its last repeat; the window over all
 * processes opens when the last pair arrives at begin and closes when the last arrives at end. So
 * the pairs' measured phases start together (the aggregate rate is a sum over one window), and
 * the counters cover all of them, per message of all pairs. A pair that fails leaves the group
 * ({@link Member#leave()}), so the others never wait for it.
 */
final class GroupWindow {
    private final MeasureWindow all;
    private final AtomicLong messages = new AtomicLong();
    private volatile String per = "message";
    private volatile boolean begun;
    private volatile Results.Counters counters;
    private final Phaser phaser;

    GroupWindow(MeasureWindow all, int members) {
        this.all = all;
        this.phaser = new Phaser(members) {
            @Override
            protected boolean onAdvance(int phase, int registered) {
                if (phase == 0 && registered > 0) {
                    all.begin();
                    begun = true;
                } else if (phase == 1 && begun) {
                    counters = all.end(messages.get(), per);
                }
                return phase >= 1 || registered == 0;
            }
        };
    }

    /** The counters over all pairs once every member has ended or left; null before, or when none measured. */
    Results.Counters counters() {
        return counters;
    }

    Member member() {
        return new Member();
    }

    /** One pair's view: a {@link MeasureWindow} whose figures are the group's. */
    final class Member implements MeasureWindow {
        private int arrived; // 0: none, 1: begin, 2: end; only the pair's own thread touches it

        @Override
        public void begin() {
            if (arrived != 0) return;
            arrived = 1;
            phaser.arriveAndAwaitAdvance();
        }

        @Override
        public Results.Counters end(long n, String unit) {
            if (arrived != 1) return null;
            arrived = 2;
            messages.addAndGet(n);
            per = unit;
            phaser.arriveAndAwaitAdvance();
            return null; // the group's counters go on the aggregate row, not on each pair
        }

        /** The pair is done (measured or failed): the others no longer wait for it at a phase it has not reached. */
        void leave() {
            if (arrived == 2) return;
            arrived = 2;
            phaser.arriveAndDeregister();
        }
    }
}
