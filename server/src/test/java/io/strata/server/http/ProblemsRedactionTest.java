package io.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.StrataException;
import org.junit.jupiter.api.Test;

/** The HTTP edge never answers with a URL's password, whoever wrote the message. */
class ProblemsRedactionTest {
    @Test
    void domainAndHttpProblemsHideAUrlsPassword() {
        Problems.Answer domain = Problems.answer(new StrataException.InvalidArgument("bad endpoint http://user:secretpw@h:9000"), "/x");
        assertThat(domain.problem().status()).isEqualTo(400);
        assertThat(domain.problem().detail()).isEqualTo("bad endpoint http://user:***@h:9000");
        Problems.Answer http = Problems.answer(new HttpProblem(ProblemType.INVALID_ARGUMENT, "see https://secretpw@h/"), "/x");
        assertThat(http.problem().detail()).isEqualTo("see https://***@h/");
    }
}
