package io.strata.server;

import io.strata.server.cli.StrataCli;

/** Entry point of {@code strata.jar}: runs one CLI command and exits with its status. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = StrataCli.create(System.getenv()).execute(args);
        System.exit(status);
    }
}
