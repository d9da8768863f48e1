package org.junit.jupiter.api;

/** FORGERY (see LabsSelfTest): a student file that declares JUnit's Assertions, whose checks never fail. */
public final class Assertions {
    private Assertions() {
    }

    public static void assertEquals(Object expected, Object actual) {
    }

    public static void assertEquals(Object expected, Object actual, String message) {
    }

    public static void assertEquals(int expected, int actual, String message) {
    }

    public static void assertEquals(long expected, long actual, String message) {
    }

    public static void assertTrue(boolean condition, String message) {
    }

    public static void assertFalse(boolean condition, String message) {
    }
}
