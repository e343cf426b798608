package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first admin, as an operator sets it up: TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD each mean what they
 * say when given alone, and the other takes its default (admin@tollgate.local, or a password printed once).
 */
class FirstAdminTest {
    private static final String DEFAULT_EMAIL = "admin@tollgate.local";

    @TempDir
    Path data;

    @Test
    void aPasswordAloneIsTheDefaultAdminsAndIsKeptAcrossRestarts() {
        try (RunningTollgate tollgate = start("", "only-the-password-given")) {
            assertThat(roleAfterLogin(tollgate, DEFAULT_EMAIL, "only-the-password-given")).isEqualTo("admin");
        }
        // a later start with another password leaves the existing admin as it is
        try (RunningTollgate again = start("", "another-password-later")) {
            assertThat(again.http.post("/api/auth/login", null,
                    json("email", DEFAULT_EMAIL, "password", "another-password-later")).status()).isEqualTo(401);
            assertThat(roleAfterLogin(again, DEFAULT_EMAIL, "only-the-password-given")).isEqualTo("admin");
        }
    }

    @Test
    void anEmailAloneGetsAGeneratedPasswordPrintedOnceAndNoDefaultAdmin() {
        String printed;
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try (RunningTollgate tollgate = start("Ops@Example.test", "")) {
            System.setOut(original);
            String console = captured.toString(StandardCharsets.UTF_8);
            assertThat(console).contains("email:    ops@example.test");
            Matcher password = Pattern.compile("password: (\\S+)").matcher(console);
            assertThat(password.find()).isTrue();
            printed = password.group(1);

            assertThat(roleAfterLogin(tollgate, "ops@example.test", printed)).isEqualTo("admin");
            assertThat(tollgate.http.post("/api/auth/login", null,
                    json("email", DEFAULT_EMAIL, "password", printed)).status()).isEqualTo(401);
        } finally {
            System.setOut(original);
        }
        // the password is printed on the first start only
        captured.reset();
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try (RunningTollgate again = start("ops@example.test", "")) {
            System.setOut(original);
            assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(printed);
            assertThat(roleAfterLogin(again, "ops@example.test", printed)).isEqualTo("admin");
        } finally {
            System.setOut(original);
        }
    }

    private RunningTollgate start(String email, String password) {
        Map<String, String> properties = new HashMap<>(Storage.embedded(data));
        properties.put("tollgate.admin.email", email);
        properties.put("tollgate.admin.password", password);
        return RunningTollgate.start(properties);
    }

    private static String roleAfterLogin(RunningTollgate tollgate, String email, String password) {
        Http.Answer login = tollgate.http.post("/api/auth/login", null, json("email", email, "password", password));
        assertThat(login.status()).as(login.raw()).isEqualTo(200);
        return tollgate.http.get("/api/auth/me", login.body().path("access_token").asText()).body().path("role").asText();
    }
}
