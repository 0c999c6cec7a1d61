package io.strata.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class UnreachableTest {
    /** Stands in for Apache HttpClient's class of the same name, which the S3 SDK throws. */
    static final class ConnectTimeoutException extends InterruptedIOException {
        ConnectTimeoutException() {
            super("Connect to s3:9000 timed out");
        }
    }

    @Test
    void theNetworkIsFoundAnywhereInTheChainAndNothingElseIs() {
        ConnectException refused = new ConnectException("Connection refused");
        assertThat(Unreachable.cause(new StrataException.Internal("listing failed", new IOException("x", refused)))).containsSame(refused);
        SocketTimeoutException timeout = new SocketTimeoutException("Read timed out");
        assertThat(Unreachable.cause(new RuntimeException(timeout))).containsSame(timeout);
        assertThat(Unreachable.cause(new ConnectTimeoutException())).isPresent();
        assertThat(Unreachable.cause(new NoSuchFileException("/backups/x"))).isEmpty();
        assertThat(Unreachable.cause(new IOException("No space left on device"))).isEmpty();
        IOException a = new IOException("a");
        a.initCause(new IOException("b", a));
        assertThat(Unreachable.cause(a)).as("a cause cycle ends").isEmpty();
    }
}
