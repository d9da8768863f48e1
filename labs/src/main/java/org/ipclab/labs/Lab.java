package org.ipclab.labs;

import java.util.List;

/**
 * One lab: a concept, its doc page, the package the student works in, and its graded tasks.
 *
 * @param number  1..N, the teaching order
 * @param slug    short name, also the doc page's suffix: {@code docs/labs/lab1-pipes.md}
 * @param minutes the time a student typically needs (for the teacher's plan)
 */
public record Lab(int number, String slug, String title, int minutes, List<Task> tasks) {

    public int maxPoints() {
        return tasks.stream().mapToInt(Task::points).sum();
    }

    /** The package of the student's code and of the check: {@code org.ipclab.labs.lab1}. */
    public String packageName() {
        return "org.ipclab.labs.lab" + number;
    }

    /** The check class: {@code org.ipclab.labs.lab1.Lab1Check}. */
    public String checkClass() {
        return packageName() + ".Lab" + number + "Check";
    }

    /** The lab text, relative to the repository root. */
    public String docPath() {
        return "docs/labs/lab" + number + "-" + slug + ".md";
    }

    /** The skeleton directory, relative to the repository root. */
    public String studentDir() {
        return "labs/src/student/java/org/ipclab/labs/lab" + number;
    }

    public Task task(int n) {
        return tasks.stream().filter(t -> t.number() == n).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + number + " has no task " + n));
    }
}
