package org.ipclab.core;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds what crashed runs left behind, for {@code ipc clean}. Found by {@link java.util.ServiceLoader};
 * a mechanism whose objects are not files (message queues, System V objects) adds its own.
 * Only objects named by {@link Names} are ever reported, each with its owner: a sweeper reports
 * other users' leftovers too (so {@code ipc clean} can say it left them alone); callers remove
 * only {@link #removable} ones.
 */
public interface Sweeper {
    /** Leftovers whose creator is gone ({@code all=false}), or every object of ours ({@code all=true}), of any user. */
    List<Leftover> find(boolean all) throws IOException;

    /** What every installed sweeper finds. */
    static List<Leftover> findEverywhere(boolean all) throws IOException {
        List<Leftover> found = new ArrayList<>();
        for (Sweeper s : ServiceLoader.load(Sweeper.class)) found.addAll(s.find(all));
        return found;
    }

    /** Ours, or anyone's when root asked for every user's ({@code allUsers}). */
    static boolean removable(Leftover l, boolean allUsers) {
        return l.ours() || (allUsers && Users.isRoot());
    }
}
