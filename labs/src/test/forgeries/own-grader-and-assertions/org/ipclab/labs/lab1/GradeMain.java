package org.ipclab.labs;

/** FORGERY (see LabsSelfTest): a student file that declares the grader's main class and reports full marks. */
public final class GradeMain {
    private GradeMain() {
    }

    public static void main(String[] args) {
        System.out.println("RESULT lab=1 score=10 max=10 tasks=1:2/2,2:3/3,3:3/3,4:2/2");
        System.exit(0);
    }
}
