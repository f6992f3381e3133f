package org.infometer.job;

/** Test access to the command line without System.exit. */
public final class MainAccess {

    private MainAccess() {
    }

    public static int run(String... args) {
        return Main.run(args);
    }
}
