package org.ipclab.labs;

import java.util.List;

/**
 * One graded task of a lab. A check class proves it with one or more test methods named
 * {@code task<number>_...}; the task earns its points only when all of them pass.
 *
 * @param hint shown when the task fails (hint level 1): the call to use and the trap, not the answer
 * @param code hint level 2, only on request ({@code ipc lab hint N TASK --level 2}): the shape of the code
 */
public record Task(int number, int points, String title, String hint, String code) {
    public Task(int number, int points, String title, String hint) {
        this(number, points, title, hint, null);
    }

    /** The hints a student may ask for, level 1 first. */
    public List<String> hints() {
        return code == null ? List.of(hint) : List.of(hint, code);
    }
}
