package org.ipclab.labs;

/**
 * One graded task of a lab. A check class proves it with one or more test methods named
 * {@code task<number>_...}; the task earns its points only when all of them pass.
 *
 * @param hint shown when the task fails: where to look, not the answer
 */
public record Task(int number, int points, String title, String hint) {
}
