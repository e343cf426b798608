package dev.tollgate.web.e2e;

import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.web.ledger.AnsweredTransfers;
import dev.tollgate.web.ops.Projections;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.common.Registration;
import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The ledger over HTTP, exactly as a client sees it, on one storage mode (the subclasses choose which). Money is
 * read back through the API and summed with BigDecimal here, in the test only, as an independent check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LedgerEndToEndContract {
    static final String JWT_SECRET = "end-to-end-tests-signing-key-of-at-least-32-bytes";

    /** Storage properties for a new, empty ledger; each call gives another one. */
    abstract Map<String, String> freshStorage();

    private RunningTollgate app;
    private Http http;
    private String adminToken;

    @BeforeAll
    void start() {
        app = RunningTollgate.start(withJwtSecret(freshStorage()));
        http = app.http;
        adminToken = login(RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        releaseStorage();
    }

    /** Called once the application is closed. */
    void releaseStorage() {
    }

    private static Map<String, String> withJwtSecret(Map<String, String> storage) {
        Map<String, String> all = new HashMap<>(storage);
        all.put("tollgate.jwt.secret", JWT_SECRET);
        return all;
    }

    // ---- the scenarios of the issue ----

    @Test
    void depositSentTwiceWithOneIdempotencyKeyIsAppliedOnce() {
        Member user = register();
        String body = json("user_id", user.id, "amount_usd", "12.5", "note", "welcome");

        Http.Answer first = http.post("/api/admin/credits/deposit", adminToken, body, Map.of("Idempotency-Key", "dep-1-" + user.id));
        Http.Answer retry = http.post("/api/admin/credits/deposit", adminToken, body, Map.of("Idempotency-Key", "dep-1-" + user.id));

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body().get("transaction_id")).isEqualTo(first.body().get("transaction_id"));
        assertThat(retry.body().get("balance_usd").asText()).isEqualTo("12.5");
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("12.5");
    }

    @Test
    void aUserIdInCapitalsNamesTheSameUser() {
        // given a user, whose id Tollgate writes in lower case
        Member user = register();
        String shouted = user.id.toUpperCase(java.util.Locale.ROOT);

        // when an admin deposits to, and reads the events of, the id in capitals (UUIDs compare case-blind)
        Http.Answer deposit = http.post("/api/admin/credits/deposit", adminToken, json("user_id", shouted, "amount_usd", "3"));
        Http.Answer events = http.get("/api/admin/accounts/" + shouted + "/events", adminToken);

        // then both reach that user's account
        assertThat(deposit.status()).as(deposit.toString()).isEqualTo(200);
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("3");
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        assertThat(events.body().toString()).contains("CreditsDeposited");
    }

    @Test
    void theSameIdempotencyKeyWithAnotherBodyIsAConflictAndMovesNoMoney() {
        Member user = register();
        String key = "dep-2-" + user.id;
        http.post("/api/admin/credits/deposit", adminToken, json("user_id", user.id, "amount_usd", "1"),
                Map.of("Idempotency-Key", key));

        Http.Answer other = http.post("/api/admin/credits/deposit", adminToken,
                json("user_id", user.id, "amount_usd", "2"), Map.of("Idempotency-Key", key));

        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("1");
    }

    @Test
    void anAdminsKeyNamesOneMovementWhicheverAccountItIsSentFor() {
        // given a deposit to alice under a key
        Member alice = register();
        Member bob = register();
        String key = "dep-3-" + alice.id;
        Http.Answer first = http.post("/api/admin/credits/deposit", adminToken,
                json("user_id", alice.id, "amount_usd", "1"), Map.of("Idempotency-Key", key));

        // when the same key is sent for bob, and for a deduction from alice
        Http.Answer forBob = http.post("/api/admin/credits/deposit", adminToken,
                json("user_id", bob.id, "amount_usd", "1"), Map.of("Idempotency-Key", key));
        Http.Answer asDeduction = http.post("/api/admin/credits/deduct", adminToken,
                json("user_id", alice.id, "amount_usd", "1"), Map.of("Idempotency-Key", key));
        Http.Answer retry = http.post("/api/admin/credits/deposit", adminToken,
                json("user_id", alice.id, "amount_usd", "1"), Map.of("Idempotency-Key", key));

        // then both are conflicts that move nothing, and the true retry still gets the first answer
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(List.of(forBob.status(), asDeduction.status())).containsExactly(409, 409);
        assertThat(forBob.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(balance(alice).get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance(bob).get("balance_usd").asText()).isEqualTo("0");
    }

    @Test
    void concurrentRandomTransfersConserveMoneyAndNeverGoNegative() throws Exception {
        List<Member> members = List.of(register(), register(), register());
        for (Member m : members) {
            deposit(m, "10");
        }
        BigDecimal before = total(members);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            long seed = 1000 + t;
            work.add(pool.submit(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < 15; i++) {
                    Member from = members.get(random.nextInt(3));
                    Member to = members.get((members.indexOf(from) + 1 + random.nextInt(2)) % 3);
                    int cents = 1 + random.nextInt(400);
                    String amount = cents / 100 + "." + String.format("%02d", cents % 100);
                    Http.Answer answer = http.post("/api/credits/transfer", from.token,
                            json("to", to.email, "amount_usd", amount));
                    statuses.add(answer.status());
                    boolean ok = answer.status() == 200 && "completed".equals(answer.body().path("status").asText());
                    boolean refused = answer.status() == 402 && "insufficient_funds".equals(answer.errorCode());
                    if (!ok && !refused) {
                        unexpected.add(answer.toString());
                    }
                    if (ok && new BigDecimal(answer.body().get("balance_usd").asText()).signum() < 0) {
                        unexpected.add("negative balance answered: " + answer);
                    }
                }
            }));
        }
        for (Future<?> f : work) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(unexpected).isEmpty();
        assertThat(statuses).hasSize(16 * 15).contains(200);
        assertThat(total(members)).isEqualByComparingTo(before);
        for (Member m : members) {
            JsonNode b = balance(m);
            assertThat(new BigDecimal(b.get("balance_usd").asText())).isNotNegative();
            assertThat(new BigDecimal(b.get("available_usd").asText())).isNotNegative();
        }
    }

    @Test
    void aTransferCreditedByItsRequestIsNotCreditedAgainByTheProcess() {
        // given two members, and every ReceiveTransfer sent through the command bus counted
        Member alice = register();
        Member bob = register();
        deposit(alice, "1");
        AtomicInteger credits = new AtomicInteger();
        Registration counting = app.bean(CommandBus.class).registerDispatchInterceptor(messages -> (i, command) -> {
            if (command.getPayload() instanceof ReceiveTransfer) {
                credits.incrementAndGet();
            }
            return command;
        });
        try {
            // when ten transfers complete and the transfer process has seen all of them
            for (int i = 0; i < 10; i++) {
                Http.Answer answer = http.post("/api/credits/transfer", alice.token,
                        json("to", bob.email, "amount_usd", "0.01"));
                assertThat(answer.body().path("status").asText()).as(answer.toString()).isEqualTo("completed");
            }
            awaitCaughtUp(List.of("transfer-process"));

            // then each receiver was credited by one command, the request's, and the money moved exactly once
            assertThat(credits.get()).isEqualTo(10);
            assertThat(balance(alice).get("balance_usd").asText()).isEqualTo("0.9");
            assertThat(balance(bob).get("balance_usd").asText()).isEqualTo("0.1");
            assertThat(app.bean(AnsweredTransfers.class).tracked()).isZero();
        } finally {
            counting.cancel();
        }
    }

    @Test
    void aTransferTheReceiverCannotHoldIsRefundedPromptlyAndMovesNoMoney() {
        // given a receiver so rich that one more dollar would overflow their balance
        Member alice = register();
        Member rich = register();
        deposit(alice, "5");
        deposit(rich, "9223372036.854775807");

        // when alice sends them money, and sends the same request again
        String body = json("to", rich.email, "amount_usd", "1");
        Map<String, String> key = Map.of("Idempotency-Key", "refunded-" + alice.id);
        Http.Answer answer = http.post("/api/credits/transfer", alice.token, body, key);
        Http.Answer retry = http.post("/api/credits/transfer", alice.token, body, key);

        // then the receiver declined and the process refunded within the request's wait (else: "in_flight"), and the
        // answer gives the balance the refund left, not the one the debit left
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("status").asText()).isEqualTo("refunded");
        assertThat(answer.body().get("balance_usd").asText()).isEqualTo("5");
        // and the retry answers what the first request answered
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.body().get("transfer_id").asText()).isEqualTo(answer.body().get("transfer_id").asText());
        assertThat(retry.body().get("status").asText()).isEqualTo("refunded");
        assertThat(retry.body().get("balance_usd").asText()).isEqualTo("5");
        assertThat(balance(alice).get("balance_usd").asText()).isEqualTo("5");
        assertThat(balance(rich).get("balance_usd").asText()).isEqualTo("9223372036.854775807");
        // and the ledger's totals, now beyond what one account can hold, still add up
        Http.Answer check = http.get("/api/admin/ledger/check", adminToken);
        assertThat(check.body().path("ok").asBoolean()).as(check.toString()).isTrue();
        assertThat(new BigDecimal(check.body().get("totals_usd").get("users").asText()))
                .isGreaterThan(new BigDecimal("9223372036.854775807"));
    }

    static Stream<Arguments> badAmounts() {
        return Stream.of("\"0\"", "\"-1\"", "\"1e3\"", "\"0.0000000001\"", "\"abc\"", "\"\"", "null", "1.5",
                "\"NaN\"", "\"99999999999999999999\"", "1", "\" 1\"", "\"1,5\"", "{}", "[]").map(Arguments::of);
    }

    @ParameterizedTest(name = "amount_usd {0}")
    @MethodSource("badAmounts")
    void aBadAmountIsA400AndMovesNoMoney(String amountJson) {
        Member from = register();
        Member to = register();
        deposit(from, "5");

        Http.Answer transfer = http.post("/api/credits/transfer", from.token,
                "{\"to\":\"" + to.email + "\",\"amount_usd\":" + amountJson + "}");
        Http.Answer deposit = http.post("/api/admin/credits/deposit", adminToken,
                "{\"user_id\":\"" + to.id + "\",\"amount_usd\":" + amountJson + "}");
        Http.Answer deduct = http.post("/api/admin/credits/deduct", adminToken,
                "{\"user_id\":\"" + from.id + "\",\"amount_usd\":" + amountJson + "}");

        for (Http.Answer answer : List.of(transfer, deposit, deduct)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertWellFormedError(answer);
        }
        assertThat(balance(from).get("balance_usd").asText()).isEqualTo("5");
        assertThat(balance(to).get("balance_usd").asText()).isEqualTo("0");
    }

    @Test
    void malformedJsonUnknownRecipientAndSelfTransferMoveNoMoney() {
        Member from = register();
        deposit(from, "5");

        Http.Answer malformed = http.post("/api/credits/transfer", from.token, "{\"to\": \"x\", \"amount_usd\": ");
        Http.Answer unknown = http.post("/api/credits/transfer", from.token,
                json("to", "nobody-" + from.id + "@example.com", "amount_usd", "1"));
        Http.Answer unknownId = http.post("/api/credits/transfer", from.token,
                json("to", "00000000-0000-0000-0000-000000000000", "amount_usd", "1"));
        Http.Answer self = http.post("/api/credits/transfer", from.token, json("to", from.email, "amount_usd", "1"));
        // a field given twice is ambiguous, not "the last one wins"
        Http.Answer twice = http.post("/api/credits/transfer", from.token,
                "{\"to\":\"" + RunningTollgate.ADMIN_EMAIL + "\",\"amount_usd\":\"0.1\",\"amount_usd\":\"0.9\"}");
        Http.Answer tooMuch = http.post("/api/credits/transfer", from.token,
                json("to", RunningTollgate.ADMIN_EMAIL, "amount_usd", "5.000000001"));

        assertThat(malformed.status()).isEqualTo(400);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknownId.status()).isEqualTo(404);
        assertThat(self.status()).isEqualTo(400);
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.errorCode()).isEqualTo("invalid_json");
        assertThat(tooMuch.status()).isEqualTo(402);
        assertThat(tooMuch.errorCode()).isEqualTo("insufficient_funds");
        Stream.of(malformed, unknown, unknownId, self, twice, tooMuch).forEach(LedgerEndToEndContract::assertWellFormedError);
        assertThat(balance(from).get("balance_usd").asText()).isEqualTo("5");
    }

    @Test
    void textWithANulCharacterIsA400OnEveryStorageAndChangesNothing() {
        textThatCannotBeStoredIsA400OnEveryStorageAndChangesNothing("a\u0000b");
    }

    @Test
    void textWithHalfASurrogatePairIsA400OnEveryStorageAndChangesNothing() {
        // PostgreSQL's UTF-8 would keep "?" for it, where the embedded default kept the text sent
        textThatCannotBeStoredIsA400OnEveryStorageAndChangesNothing("a\uD800b");
    }

    private void textThatCannotBeStoredIsA400OnEveryStorageAndChangesNothing(String unstorable) {
        // given a funded user and an admin
        Member user = register();
        Member other = register();
        deposit(user, "5");

        // when a kept text (an email, a name, a note, a recipient) carries it
        List<Http.Answer> refused = List.of(
                http.post("/api/auth/register", null, escapedJson("email", "x" + unstorable + "@example.com", "password", "correct-horse")),
                http.post("/api/auth/register", null, escapedJson("email", "n-" + System.nanoTime() + "@example.com",
                        "password", "correct-horse", "username", unstorable)),
                http.post("/api/auth/login", null, escapedJson("email", user.email + unstorable, "password", "correct-horse")),
                http.post("/api/auth/api-keys", user.token, escapedJson("name", unstorable)),
                http.post("/api/teams", user.token, escapedJson("name", unstorable)),
                http.post("/api/credits/transfer", user.token, escapedJson("to", other.email, "amount_usd", "1", "note", unstorable)),
                http.post("/api/credits/transfer", user.token, escapedJson("to", other.email + unstorable, "amount_usd", "1")),
                http.post("/api/admin/credits/deposit", adminToken, escapedJson("user_id", user.id, "amount_usd", "1",
                        "note", unstorable)));

        // then each is a 400 in the one error shape (PostgreSQL cannot store it; H2 could, and must refuse alike)
        for (Http.Answer answer : refused) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertWellFormedError(answer);
        }
        // and nothing moved, and the read models still follow the ledger
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("5");
        assertThat(balance(other).get("balance_usd").asText()).isEqualTo("0");
        awaitCaughtUp();
    }

    /** As {@link Http#json}, with half a surrogate pair sent as its escape, since UTF-8 cannot carry it raw. */
    private static String escapedJson(Object... keyValues) {
        StringBuilder out = new StringBuilder();
        for (char c : json(keyValues).toCharArray()) {
            out.append(Character.isSurrogate(c) ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    @Test
    void aNoteWithANulThatReachedTheLedgerStillReachesTheHistory() {
        // given a deposit whose note holds U+0000, as the API accepted before it refused such notes: it is an event
        // now, and events are never edited
        Member user = register();
        app.bean(dev.tollgate.web.ledger.Ledger.class).deposit(dev.tollgate.api.account.AccountId.of(user.id),
                dev.tollgate.api.money.Money.parseUsd("2"), "before\u0000after", "test", null);

        // when the read models catch up, and a later movement follows it
        deposit(user, "1");
        awaitCaughtUp();

        // then the history holds both, the note with U+FFFD in place of the NUL, and it explains the balance
        JsonNode items = http.get("/api/credits/transactions", user.token).body().get("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(1).get("description").asText()).isEqualTo("before\uFFFDafter");
        assertThat(items.get(0).get("balance_after_usd").asText()).isEqualTo("3");
        assertThat(http.get("/api/admin/ledger/check", adminToken).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void aBodyWithAnythingAfterItsJsonValueIsMalformedAndMovesNoMoney() {
        // given a funded user
        Member from = register();
        Member to = register();
        deposit(from, "5");
        String transfer = json("to", to.email, "amount_usd", "1");

        // when a body carries more than its one JSON value: text after it, or a second object
        List<Http.Answer> answers = List.of(
                http.post("/api/credits/transfer", from.token, transfer + " xyz"),
                http.post("/api/credits/transfer", from.token, transfer + json("amount_usd", "4")),
                http.post("/api/admin/credits/deposit", adminToken,
                        json("user_id", to.id, "amount_usd", "1") + "]"));
        Http.Answer onV1 = http.post("/v1/chat/completions", from.token, "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} {}");

        // then each is a 400 invalid_json, and nothing moved or was charged
        for (Http.Answer answer : answers) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.errorCode()).isEqualTo("invalid_json");
            assertWellFormedError(answer);
        }
        assertThat(onV1.status()).as(onV1.toString()).isEqualTo(400);
        assertThat(balance(from).get("balance_usd").asText()).isEqualTo("5");
        assertThat(balance(to).get("balance_usd").asText()).isEqualTo("0");
    }

    @Test
    void reportedUsageWithTheLongestRequestIdTheApiAcceptsReachesEveryReadModel() {
        // given a funded user, and a request id of 200 characters, the longest a report may carry
        Member user = register();
        deposit(user, "1");
        String requestId = "r".repeat(200);

        // when the usage is reported
        Http.Answer reported = http.post("/api/usage", user.token, json("provider", "elsewhere",
                "model", "@cf/meta/llama-3.1-8b-instruct", "input_tokens", 1000, "output_tokens", 100,
                "request_id", requestId));

        // then it is charged, and the history and usage read models record it and keep following the ledger
        assertThat(reported.status()).as(reported.toString()).isEqualTo(201);
        awaitCaughtUp();
        JsonNode entry = http.get("/api/credits/transactions", user.token).body().get("items").get(0);
        assertThat(entry.get("type").asText()).isEqualTo("charge");
        assertThat(entry.get("request_id").asText()).isEqualTo(requestId);
        JsonNode call = http.get("/api/usage/logs", user.token).body().get("items").get(0);
        assertThat(call.get("request_id").asText()).isEqualTo(requestId);
        assertThat(http.post("/api/usage", user.token, json("provider", "elsewhere",
                "model", "@cf/meta/llama-3.1-8b-instruct", "input_tokens", 1, "output_tokens", 1,
                "request_id", requestId + "r")).status()).isEqualTo(400);
    }

    @Test
    void aDeductionBeyondTheAvailableBalanceIsRefused() {
        Member user = register();
        deposit(user, "3");

        Http.Answer refused = http.post("/api/admin/credits/deduct", adminToken, json("user_id", user.id, "amount_usd", "3.5"));
        Http.Answer allowed = http.post("/api/admin/credits/deduct", adminToken, json("user_id", user.id, "amount_usd", "1.25"));

        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.errorCode()).isEqualTo("insufficient_funds");
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.body().get("balance_usd").asText()).isEqualTo("1.75");
    }

    @Test
    void requestsRefusedBeforeTheApplicationAreStillAnsweredInTheOneErrorShape() {
        Member user = register();

        // when Tomcat itself refuses a request (a NUL in the path, a header past its size limit), and when the
        // client accepts nothing this path answers
        Http.Answer nul = http.get("/api/admin/accounts/%00/events", adminToken);
        Http.Answer hugeHeader = http.send("GET", "/api/credits/balance", null, null,
                Map.of("Authorization", "Bearer " + "a".repeat(20_000)));
        Http.Answer xmlOnly = http.send("GET", "/api/credits/balance", user.token, null,
                Map.of("Accept", "application/xml"));

        // then each is the error shape, not a server page or an empty body
        assertThat(nul.status()).isEqualTo(400);
        assertThat(hugeHeader.status()).isEqualTo(400);
        assertThat(xmlOnly.status()).isEqualTo(406);
        for (Http.Answer refused : List.of(nul, hugeHeader, xmlOnly)) {
            assertThat(refused.body().path("error").path("code").asText()).as(refused.toString()).isNotEmpty();
            assertThat(refused.body().path("error").path("request_id").asText()).startsWith("req_");
            assertThat(refused.raw()).doesNotContainIgnoringCase("tomcat").doesNotContain("<html");
        }
    }

    @Test
    void aHeaderInUtf8OrWithAControlCharacterOrAnEmptyKeyIsA400OrReadNeverA500() throws Exception {
        // given a funded user, and header values in UTF-8 (bytes 0x80–0x9F among them, as in "ключ")
        Member user = register();
        Member other = register();
        deposit(user, "5");
        String transfer = json("to", other.email, "amount_usd", "1");

        // when an Idempotency-Key is sent so on each surface, a login comes through a proxy that names its client in
        // UTF-8, a key holds DEL, and a key is sent empty
        Raw utf8Key = raw("POST", "/api/credits/transfer", user.token, transfer, "Idempotency-Key: ключ-1");
        Raw utf8KeyOnV1 = raw("POST", "/v1/chat/completions", user.token, "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Idempotency-Key: ключ-2");
        Raw login = raw("POST", "/api/auth/login", null, json("email", user.email, "password", "correct-horse"),
                "X-Forwarded-For: клиент");
        Raw control = raw("POST", "/api/credits/transfer", user.token, transfer, "Idempotency-Key: a\u007Fb");
        Raw empty = raw("POST", "/api/credits/transfer", user.token, transfer, "Idempotency-Key: ");

        // then the keys are refused as the client's mistake (a key is 1-255 printable ASCII characters; an empty one
        // is not "no key", which would run a retry twice), in each surface's shape
        for (Raw refused : List.of(utf8Key, control, empty)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.body().path("error").path("code").asText()).isIn("invalid_request", "bad_request");
            assertThat(refused.body().path("error").path("request_id").asText()).startsWith("req_");
            assertThat(refused.raw()).doesNotContain("Exception", "org.", "java.");
        }
        assertThat(utf8KeyOnV1.status()).as(utf8KeyOnV1.toString()).isEqualTo(400);
        assertThat(utf8KeyOnV1.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
        // and a header that is only read along the way is read
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        // and nothing moved or was charged
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("5");
        assertThat(balance(other).get("balance_usd").asText()).isEqualTo("0");
    }

    record Raw(int status, JsonNode body, String raw) {
    }

    /** A request written byte for byte, for what java.net.http will not send (UTF-8 in a header value). */
    private Raw raw(String method, String path, String token, String body, String header) throws Exception {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + header + "\r\n\r\n";
        java.net.URI base = java.net.URI.create(app.baseUrl());
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            String text = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            if (answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                StringBuilder joined = new StringBuilder();
                String rest = text;
                while (true) {
                    int line = rest.indexOf("\r\n");
                    int size = Integer.parseInt(rest.substring(0, line).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    byte[] bytes = rest.substring(line + 2).getBytes(StandardCharsets.UTF_8);
                    String chunk = new String(bytes, 0, size, StandardCharsets.UTF_8);
                    joined.append(chunk);
                    rest = rest.substring(line + 2 + chunk.length() + 2);
                }
                text = joined.toString();
            }
            return new Raw(status, text.isBlank() ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                    : Http.JSON.readTree(text), answer);
        }
    }

    @Test
    void theErrorPathAskedForDirectlyIsA404LikeAnyPathTollgateDoesNotServe() {
        // given a user, and what an unknown path answers them
        Member user = register();
        Http.Answer unknown = http.get("/no-such-path", user.token);

        // when /error is asked for directly, with and without credentials, by GET and by POST
        List<Http.Answer> direct = List.of(http.get("/error", null), http.get("/error", user.token),
                http.post("/error", null, "{}"));

        // then each is the same 404 not_found in the one error shape, not a 500
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        for (Http.Answer answer : direct) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
            assertThat(answer.errorCode()).isEqualTo(unknown.errorCode()).isEqualTo("not_found");
            assertThat(answer.errorMessage()).isEqualTo(unknown.errorMessage());
            assertWellFormedError(answer);
        }
    }

    @Test
    void aWrongMethodIs405WithTheAllowedMethodsAndNeedsNoCredentialsOnPublicPaths() {
        Member user = register();

        // when public auth paths are called with a wrong method and no credentials, and a private path with them
        List<Http.Answer> anonymous = List.of(http.get("/api/auth/login", null), http.get("/api/auth/register", null),
                http.send("PUT", "/api/auth/register", null, "{}", Map.of()), http.delete("/api/auth/login", null));
        Http.Answer signedIn = http.delete("/api/credits/balance", user.token);

        // then each is a 405 in the one error shape, naming what the path does support
        for (Http.Answer wrong : anonymous) {
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(405);
            assertThat(wrong.errorCode()).isEqualTo("method_not_allowed");
            assertWellFormedError(wrong);
            assertThat(wrong.response().headers().allValues("Allow")).containsExactly("POST");
        }
        assertThat(signedIn.status()).as(signedIn.toString()).isEqualTo(405);
        assertThat(signedIn.response().headers().allValues("Allow")).containsExactly("GET");
        // and a private path still asks for credentials first
        assertThat(http.delete("/api/credits/balance", null).status()).isEqualTo(401);
    }

    @Test
    void aPathNothingServesIsA404WhoeverAsksWhileWhatExistsKeepsItsCredentialChecks() {
        // given a user, and a token that does not verify
        Member user = register();
        String wrong = "not-a-token";

        // when paths that nothing serves are asked for without credentials, with wrong ones, or by a user under admin
        List<Http.Answer> unknown = List.of(http.get("/api/no-such-path", null), http.get("/api/credits/no-such", wrong),
                http.send("POST", "/api/teams/x/no/such", null, "{}", Map.of()),
                http.get("/api/admin/no-such", user.token), http.get("/actuator/no-such", null));
        Http.Answer unknownOnV1 = http.get("/v1/no-such", null);

        // then each is the 404 a signed-in user gets, in the one error shape (OpenAI's under /v1)
        for (Http.Answer answer : unknown) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
            assertThat(answer.errorCode()).isEqualTo("not_found");
            assertWellFormedError(answer);
        }
        assertThat(unknownOnV1.status()).as(unknownOnV1.toString()).isEqualTo(404);
        assertThat(unknownOnV1.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
        // and what exists still asks for credentials, by any method, and says when they are wrong
        Http.Answer none = http.get("/api/credits/balance", null);
        Http.Answer bad = http.get("/api/credits/balance", wrong);
        assertThat(none.status()).isEqualTo(401);
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.errorMessage()).isNotEqualTo(none.errorMessage()).contains("Invalid");
        assertThat(http.delete("/api/credits/balance", null).status()).isEqualTo(401);
        assertThat(http.get("/api/admin/users", user.token).status()).isEqualTo(403);
        assertThat(http.get("/v1/models", wrong).status()).isEqualTo(401);
        assertThat(http.get("/actuator/env", null).status()).isIn(401, 404);
    }

    @Test
    void aStaleTokenStillSendsToPublicPathsIsIgnoredThere() {
        // given a client that keeps sending a token that no longer verifies (expired, or from another server)
        Member user = register();
        String stale = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c3RhbGU";

        // when it logs in again, registers someone, and opens what needs no credentials
        Http.Answer login = http.send("POST", "/api/auth/login", stale,
                json("email", user.email, "password", "correct-horse"), Map.of());
        Http.Answer registration = http.send("POST", "/api/auth/register", stale,
                json("email", "stale-" + System.nanoTime() + "@example.com", "password", "correct-horse"), Map.of());
        Http.Answer health = http.get("/actuator/health", stale);
        Http.Answer openApi = http.get("/v3/api-docs", stale);
        Http.Answer dashboard = http.get("/", stale);

        // then each is served as it would be without the header, and only the private paths refuse it
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.body().get("access_token").asText()).isNotBlank();
        assertThat(registration.status()).as(registration.toString()).isEqualTo(201);
        assertThat(health.status()).isEqualTo(200);
        assertThat(openApi.status()).isEqualTo(200);
        assertThat(dashboard.status()).isEqualTo(200);
        Http.Answer balance = http.get("/api/credits/balance", stale);
        assertThat(balance.status()).isEqualTo(401);
        assertThat(balance.errorMessage()).isEqualTo("Invalid, expired or revoked credentials.");
    }

    @Test
    void aMethodTheFirewallRefusesIsA405WithTheAllowOfItsPathInTheOneErrorShape() {
        // given a user
        Member user = register();

        // when methods that HTTP leaves out or the server does not take are sent, to private and public paths
        Http.Answer trace = http.send("TRACE", "/api/credits/balance", user.token, null, Map.of());
        Http.Answer madeUp = http.send("FOO", "/api/credits/balance", user.token, null, Map.of());
        Http.Answer propfind = http.send("PROPFIND", "/api/auth/login", null, null, Map.of());
        Http.Answer onV1 = http.send("FOO", "/v1/chat/completions", user.token, null, Map.of());
        Http.Answer unknownPath = http.send("FOO", "/api/no-such-path", user.token, null, Map.of());

        // then each is the 405 a wrong method gets, naming what its path takes, in the one error shape (OpenAI's
        // under /v1), and a path nothing serves is a 404
        for (Http.Answer wrong : List.of(trace, madeUp, propfind)) {
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(405);
            assertThat(wrong.errorCode()).isEqualTo("method_not_allowed");
            assertWellFormedError(wrong);
        }
        assertThat(madeUp.response().headers().allValues("Allow")).containsExactly("GET");
        assertThat(propfind.response().headers().allValues("Allow")).containsExactly("POST");
        assertThat(onV1.status()).as(onV1.toString()).isEqualTo(405);
        assertThat(onV1.body().path("error").path("code").asText()).isEqualTo("method_not_allowed");
        assertThat(unknownPath.status()).as(unknownPath.toString()).isEqualTo(404);
        assertWellFormedError(unknownPath);
    }

    @Test
    void connectIsA501ThatSaysTheMethodIsNotImplementedNotThatTheServerFailed() throws Exception {
        // when a CONNECT reaches Tollgate (Tomcat answers it before any filter)
        Raw connect = raw("CONNECT", "/api/credits/balance", null, "", "X-Probe: connect");

        // then it is a 501 in the one error shape that names the method, not an internal error
        assertThat(connect.status()).as(connect.toString()).isEqualTo(501);
        assertThat(connect.body().path("error").path("code").asText()).isEqualTo("not_implemented");
        assertThat(connect.body().path("error").path("message").asText()).doesNotContain("our side");
        assertThat(connect.body().path("error").path("request_id").asText()).isNotBlank();
    }

    @Test
    void aForgedUnsignedTokenIsRefused() {
        Member user = register();
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"sub\":\"" + user.id + "\",\"role\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}");

        Http.Answer unsigned = http.get("/api/credits/balance", header + "." + payload + ".");
        Http.Answer unsignedAdmin = http.get("/api/admin/users", header + "." + payload + ".");

        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(unsignedAdmin.status()).isEqualTo(401);
        assertWellFormedError(unsigned);
    }

    @Test
    void aTamperedSignatureIsRefused() {
        Member user = register();
        String[] parts = user.token.split("\\.");
        String otherPayload = b64("{\"sub\":\"" + user.id + "\",\"role\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}");
        char last = parts[2].charAt(parts[2].length() - 2);
        String flipped = parts[2].substring(0, parts[2].length() - 2) + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1);

        assertThat(http.get("/api/credits/balance", parts[0] + "." + otherPayload + "." + parts[2]).status()).isEqualTo(401);
        assertThat(http.get("/api/credits/balance", parts[0] + "." + parts[1] + "." + flipped).status()).isEqualTo(401);
        assertThat(http.get("/api/credits/balance", user.token).status()).isEqualTo(200);
    }

    @Test
    void anExpiredTokenIsRefused() {
        Member user = register();
        String expired = Jwts.builder().subject(user.id).claim("role", "user")
                .issuedAt(Date.from(Instant.now().minusSeconds(7200)))
                .expiration(Date.from(Instant.now().minusSeconds(60)))
                .signWith(Keys.hmacShaKeyFor(JWT_SECRET.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256)
                .compact();

        assertThat(http.get("/api/credits/balance", expired).status()).isEqualTo(401);
    }

    @Test
    void aTokenSignedWithTheRightKeyButWithoutExpiryIsRefused() {
        // given a token signed with the server's key for a real user, with no "exp" claim
        Member user = register();
        String forever = Jwts.builder().subject(user.id).claim("role", "user")
                .issuedAt(Date.from(Instant.now()))
                .signWith(Keys.hmacShaKeyFor(JWT_SECRET.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256)
                .compact();

        // when it is used
        Http.Answer answer = http.get("/api/credits/balance", forever);

        // then it is refused like any invalid credential
        assertThat(answer.status()).isEqualTo(401);
        assertWellFormedError(answer);
    }

    @Test
    void aUserCannotCallAdminEndpoints() {
        Member user = register();

        Http.Answer list = http.get("/api/admin/users", user.token);
        Http.Answer deposit = http.post("/api/admin/credits/deposit", user.token, json("user_id", user.id, "amount_usd", "100"));

        assertThat(list.status()).isEqualTo(403);
        assertThat(deposit.status()).isEqualTo(403);
        assertWellFormedError(deposit);
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("0");
    }

    @Test
    void anApiKeyWorksLikeATokenExceptOnAdminEndpointsAndStopsWhenRevoked() {
        Member user = register();
        deposit(user, "2");
        Http.Answer created = http.post("/api/auth/api-keys", user.token, json("name", "ci"));
        String key = created.body().get("key").asText();
        String keyId = created.body().get("id").asText();
        Http.Answer adminKey = http.post("/api/auth/api-keys", adminToken, json("name", "ops"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("prefix").asText()).isNotBlank();
        assertThat(key).startsWith(created.body().get("prefix").asText());
        assertThat(http.get("/api/credits/balance", key).body().get("balance_usd").asText()).isEqualTo("2");
        assertThat(http.send("GET", "/api/credits/balance", null, null, Map.of("X-API-Key", key)).status()).isEqualTo(200);
        assertThat(http.get("/api/admin/users", adminKey.body().get("key").asText()).status()).isEqualTo(403);

        Http.Answer listed = http.get("/api/auth/api-keys", user.token);
        assertThat(listed.raw()).doesNotContain(key);
        assertThat(listed.body().get(0).get("last_used_at").isNull()).isFalse();

        assertThat(http.delete("/api/auth/api-keys/" + keyId, user.token).status()).isEqualTo(204);
        Http.Answer revoked = http.get("/api/credits/balance", key);
        assertThat(revoked.status()).isEqualTo(401);
        assertWellFormedError(revoked);
        assertThat(http.get("/api/auth/api-keys", user.token).body().get(0).get("revoked").asBoolean()).isTrue();
    }

    @Test
    void anApiKeysBodyIsAJsonObjectOrNothingAndABadOneCreatesNoKey() {
        // given a user without keys
        Member user = register();

        // when a key is asked for with a body that is not an object, or names the key with a number
        List<Http.Answer> refused = Stream.of("[]", "null", "\"x\"", "{\"name\":5}")
                .map(body -> http.post("/api/auth/api-keys", user.token, body)).toList();

        // then each is a 400 invalid_request and no key exists
        for (Http.Answer answer : refused) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.errorCode()).isEqualTo("invalid_request");
            assertWellFormedError(answer);
        }
        assertThat(http.get("/api/auth/api-keys", user.token).body()).isEmpty();
        // while no body, an empty one or an empty object still make a key named "default"
        List<Http.Answer> defaults = Stream.of(null, "", "{}")
                .map(body -> http.post("/api/auth/api-keys", user.token, body)).toList();
        for (Http.Answer answer : defaults) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
            assertThat(answer.body().get("name").asText()).isEqualTo("default");
        }
        assertThat(http.get("/api/auth/api-keys", user.token).body()).hasSize(3);
    }

    @Test
    void apiKeysAreListedWithTheSameCreatedAtTheyWereCreatedWith() {
        // given a user who creates a few keys (a clock finer than the database's microseconds shows in any of them)
        Member user = register();
        Map<String, String> createdAt = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Http.Answer created = http.post("/api/auth/api-keys", user.token, json("name", "k" + i));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            createdAt.put(created.body().get("id").asText(), created.body().get("created_at").asText());
        }

        // when they list their keys
        Http.Answer listed = http.get("/api/auth/api-keys", user.token);

        // then each key shows the created_at its creation answered, to the character
        Map<String, String> listedAt = new HashMap<>();
        listed.body().forEach(key -> listedAt.put(key.get("id").asText(), key.get("created_at").asText()));
        assertThat(listedAt).isEqualTo(createdAt);
    }

    @Test
    void aDisabledUsersTokensAndKeysAreRefusedAtOnceAndWorkAgainWhenEnabled() {
        Member user = register();
        String key = http.post("/api/auth/api-keys", user.token, json("name", "k")).body().get("key").asText();

        Http.Answer disabled = http.post("/api/admin/users/" + user.id + "/disable", adminToken, "{}");

        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
        assertThat(disabled.body().get("disabled").asBoolean()).isTrue();
        assertThat(http.get("/api/credits/balance", user.token).status()).isEqualTo(401);
        assertThat(http.get("/api/credits/balance", key).status()).isEqualTo(401);
        Http.Answer login = http.post("/api/auth/login", null, json("email", user.email, "password", "correct-horse"));
        assertThat(login.status()).isEqualTo(401);
        // told why, since the password was right (a wrong one still hears only that it is wrong)
        assertThat(login.errorMessage()).contains("disabled");
        assertThat(http.get("/api/credits/balance", key).errorMessage()).contains("disabled");
        assertThat(http.post("/api/auth/login", null, json("email", user.email, "password", "wrong-horse"))
                .errorMessage()).isEqualTo("Wrong email or password.");

        assertThat(http.post("/api/admin/users/" + user.id + "/enable", adminToken, "{}").status()).isEqualTo(200);
        assertThat(http.get("/api/credits/balance", user.token).status()).isEqualTo(200);
        assertThat(http.post("/api/admin/users/" + user.id + "/disable", user.token, "{}").status()).isEqualTo(403);
        assertThat(http.post("/api/admin/users/nobody/disable", adminToken, "{}").status()).isEqualTo(404);
    }

    @Test
    void anAdminNamesTheUserToDisableByEmailAsOnEveryOtherAdminPath() {
        // given a user with an API key, and the admin's own email
        Member user = register();
        String key = http.post("/api/auth/api-keys", user.token, json("name", "k")).body().get("key").asText();

        // when the admin disables and enables them by email, and tries to disable themselves by email
        Http.Answer disabled = http.post("/api/admin/users/" + user.email + "/disable", adminToken, "{}");
        int whileDisabled = http.get("/api/credits/balance", key).status();
        Http.Answer enabled = http.post("/api/admin/users/" + user.email + "/enable", adminToken, "{}");
        Http.Answer self = http.post("/api/admin/users/" + RunningTollgate.ADMIN_EMAIL + "/disable", adminToken, "{}");

        // then the email names the same user as the id does
        assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
        assertThat(disabled.body().get("id").asText()).isEqualTo(user.id);
        assertThat(disabled.body().get("disabled").asBoolean()).isTrue();
        assertThat(whileDisabled).isEqualTo(401);
        assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
        assertThat(enabled.body().get("disabled").asBoolean()).isFalse();
        assertThat(http.get("/api/credits/balance", key).status()).isEqualTo(200);
        assertThat(self.status()).as(self.toString()).isEqualTo(400);
        assertWellFormedError(self);
        assertThat(http.post("/api/admin/users/nobody@example.com/disable", adminToken, "{}").status()).isEqualTo(404);
    }

    @Test
    void theApiDescribesItselfInOpenApiWithASwaggerUi() {
        Http.Answer docs = http.get("/v3/api-docs", null);
        Http.Answer redirect = http.get("/docs", null);
        String location = redirect.response().headers().firstValue("Location").orElse("");
        Http.Answer ui = http.get(location.replaceFirst("^https?://[^/]+", ""), null);

        assertThat(docs.status()).as(docs.toString()).isEqualTo(200);
        assertThat(docs.body().get("openapi").asText()).startsWith("3.");
        assertThat(docs.body().get("paths").has("/api/credits/transfer")).isTrue();
        assertThat(docs.body().get("paths").has("/v1/chat/completions")).isTrue();
        assertThat(redirect.status()).as(redirect.toString()).isBetween(301, 308);
        assertThat(ui.status()).as(location).isEqualTo(200);
        assertThat(ui.raw()).contains("swagger");
    }

    @Test
    void healthAndMetricsAnswerWithoutCredentialsOnThisStorage() {
        Http.Answer health = http.get("/actuator/health", null);
        Http.Answer metrics = http.get("/actuator/prometheus", null);

        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        assertThat(health.body().at("/components/db/status").asText()).isEqualTo("UP");
        assertThat(health.body().at("/components/eventStore/status").asText()).isEqualTo("UP");
        assertThat(health.body().at("/components/projections/details/history/lag").isNumber()).isTrue();
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw()).contains("tollgate_requests_total{", "tollgate_projection_lag_events{group=\"history\"}");
    }

    @Test
    void aSecondRegistrationWithTheSameEmailIsAConflict() {
        Member user = register();

        Http.Answer again = http.post("/api/auth/register", null, json("email", user.email.toUpperCase(), "password", "another-password"));

        assertThat(again.status()).isEqualTo(409);
        assertWellFormedError(again);
    }

    @Test
    void anEmailAnUnquotedAddressCannotBeIsRefusedAndOneWithAPlusOrAnotherScriptIsTaken() {
        // when addresses with angle brackets, a space, a comma or no dot in the domain are registered
        List<Http.Answer> refused = Stream.of("<script>@example.com", "a b@example.com", "a,b@example.com",
                "ab@example", "a@b@example.com", "\"a\"@example.com")
                .map(email -> http.post("/api/auth/register", null, json("email", email, "password", "correct-horse")))
                .toList();
        // and addresses with a tag and in another script
        Http.Answer tagged = http.post("/api/auth/register", null,
                json("email", "ada+" + System.nanoTime() + "@example.com", "password", "correct-horse"));
        Http.Answer greek = http.post("/api/auth/register", null,
                json("email", "αδα" + System.nanoTime() + "@παράδειγμα.ελ", "password", "correct-horse"));

        // then the first are 400s in the one error shape, and the others are users
        assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertWellFormedError(answer);
        });
        assertThat(tagged.status()).as(tagged.toString()).isEqualTo(201);
        assertThat(greek.status()).as(greek.toString()).isEqualTo(201);
    }

    @Test
    void meAndTheAdminUserListShowTheRightPeople() {
        Member user = register();
        deposit(user, "4.2");

        Http.Answer me = http.get("/api/auth/me", user.token);
        assertThat(me.body().get("email").asText()).isEqualTo(user.email);
        assertThat(me.body().get("role").asText()).isEqualTo("user");
        assertThat(me.raw()).doesNotContain("password");

        // The list reads the balance projection, which may trail the ledger by a moment.
        String listed = null;
        for (int i = 0; i < 100 && !"4.2".equals(listed); i++) {
            listed = Stream.of(http.get("/api/admin/users", adminToken).body()).flatMap(a -> {
                List<JsonNode> rows = new ArrayList<>();
                a.forEach(rows::add);
                return rows.stream();
            }).filter(row -> row.get("id").asText().equals(user.id)).map(row -> row.get("balance_usd").asText())
                    .findFirst().orElse(null);
            sleep(50);
        }
        assertThat(listed).isEqualTo("4.2");
    }

    @Test
    void stateSurvivesARestartOnTheSameStorage() {
        Map<String, String> storage = withJwtSecret(freshStorage());
        String email = "restart-" + System.nanoTime() + "@example.com";
        String key;
        String id;
        String team;
        String teamKey;
        JsonNode markup;
        try (RunningTollgate first = RunningTollgate.start(storage)) {
            Http h = first.http;
            id = h.post("/api/auth/register", null, json("email", email, "password", "restart-password")).body().get("id").asText();
            String admin = token(h, RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
            h.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "7.25"), Map.of("Idempotency-Key", "restart-dep"));
            key = h.post("/api/auth/api-keys", token(h, email, "restart-password"), json("name", "k")).body().get("key").asText();
            String userToken = token(h, email, "restart-password");
            team = h.post("/api/teams", userToken, json("name", "kept")).body().get("id").asText();
            h.post("/api/credits/transfer", userToken, json("to", "team:" + team, "amount_usd", "0.25"));
            teamKey = h.post("/api/teams/" + team + "/api-keys", userToken, "{\"name\":\"t\",\"spend_cap_usd\":\"0.1\"}")
                    .body().get("key").asText();
            markup = h.send("PUT", "/api/admin/prices/markup", admin, "{\"basis_points\":250}", Map.of()).body();
        }

        try (RunningTollgate second = RunningTollgate.start(storage)) {
            Http h = second.http;
            String userToken = token(h, email, "restart-password");
            String admin = token(h, RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);

            assertThat(h.get("/api/credits/balance", userToken).body().get("balance_usd").asText()).isEqualTo("7");
            assertThat(h.get("/api/credits/balance", key).status()).isEqualTo(200);
            assertThat(h.get("/api/teams/" + team + "/balance", userToken).body().get("balance_usd").asText())
                    .isEqualTo("0.25");
            assertThat(h.get("/api/credits/balance", teamKey).body().get("account_id").asText()).isEqualTo("team:" + team);
            Http.Answer retried = h.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "7.25"),
                    Map.of("Idempotency-Key", "restart-dep"));
            assertThat(retried.body().get("balance_usd").asText()).isEqualTo("7.25");
            Http.Answer more = h.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "0.75"));
            assertThat(more.body().get("balance_usd").asText()).isEqualTo("7.75");
            Http.Answer transfer = h.post("/api/credits/transfer", userToken, json("to", RunningTollgate.ADMIN_EMAIL, "amount_usd", "1"));
            assertThat(transfer.body().get("status").asText()).isEqualTo("completed");
            assertThat(transfer.body().get("balance_usd").asText()).isEqualTo("6.75");
            Http.Answer markupNow = h.get("/api/admin/prices/markup", admin);
            assertThat(markupNow.body().get("basis_points").asInt()).as(markupNow.toString()).isEqualTo(250);
            assertThat(markupNow.body().get("effective_at")).isEqualTo(markup.get("effective_at"));
            assertThat(markupNow.body().get("effective_at").isTextual()).isTrue();
        }
    }

    @Test
    void readModelsRecordedByTheThreeProcessorsOfAnEarlierVersionAreRebuiltOnceByTheSharedOne() {
        // given a ledger whose read models were recorded, stopped as a version before ADR 51 leaves it: a token for
        // each of balances, history and usage, none for read-models, and the migration that merges them not yet run
        Map<String, String> storage = withJwtSecret(freshStorage());
        String email = "upgrade-" + System.nanoTime() + "@example.com";
        Map<String, List<Map<String, Object>>> live;
        try (RunningTollgate before = RunningTollgate.start(storage)) {
            Http h = before.http;
            String id = h.post("/api/auth/register", null, json("email", email, "password", "upgrade-password"))
                    .body().get("id").asText();
            String admin = token(h, RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
            h.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "3"));
            String user = token(h, email, "upgrade-password");
            h.post("/api/credits/transfer", user, json("to", RunningTollgate.ADMIN_EMAIL, "amount_usd", "0.5"));
            h.post("/api/ai/chat", user, "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":8,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(h.get("/api/admin/ledger/check", admin).body().path("ok").asBoolean()).isTrue();
            assertThat(h.get("/api/usage/logs", user).body().get("items")).hasSize(1);
            before.bean(org.axonframework.config.EventProcessingConfiguration.class)
                    .eventProcessor(Projections.READ_MODELS).orElseThrow().shutDown();
            JdbcTemplate jdbc = before.bean(JdbcTemplate.class);
            live = readModels(jdbc);
            for (String old : List.of("balances", "history", "usage")) {
                jdbc.update("INSERT INTO TokenEntry (processorName, segment, token, tokenType, timestamp, owner) "
                        + "SELECT ?, segment, token, tokenType, timestamp, NULL FROM TokenEntry WHERE processorName = ?",
                        old, Projections.READ_MODELS);
            }
            jdbc.update("DELETE FROM TokenEntry WHERE processorName = ?", Projections.READ_MODELS);
            jdbc.execute("CREATE TABLE usage_position (account_id VARCHAR(160) NOT NULL PRIMARY KEY, seq BIGINT NOT NULL)");
            // (a ledger last migrated to V10: the migrations after it run again at the next start, so they must
            // be able to run on a ledger they have already changed)
            jdbc.update("DELETE FROM \"flyway_schema_history\" WHERE \"installed_rank\" > (SELECT \"installed_rank\" "
                    + "FROM \"flyway_schema_history\" WHERE \"version\" = '10')");
        }

        // when the new version starts on it
        try (RunningTollgate after = RunningTollgate.start(storage)) {
            Http h = after.http;
            String admin = token(h, RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
            for (int i = 0; i < 500 && !allCaughtUp(h.get("/api/admin/projections", admin).body()); i++) {
                sleep(20);
            }

            // then the read models are rebuilt once from the events: the same rows, nothing recorded twice, and the
            // old processors' tokens are gone
            JdbcTemplate jdbc = after.bean(JdbcTemplate.class);
            assertThat(allCaughtUp(h.get("/api/admin/projections", admin).body())).isTrue();
            assertThat(readModels(jdbc)).isEqualTo(live);
            assertThat(jdbc.queryForList("SELECT DISTINCT processorName FROM TokenEntry", String.class))
                    .contains(Projections.READ_MODELS).doesNotContain("balances", "history", "usage");
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM information_schema.tables "
                    + "WHERE LOWER(table_name) = 'usage_position'", Integer.class)).isZero();
            assertThat(h.get("/api/admin/ledger/check", admin).body().path("ok").asBoolean()).isTrue();
            assertThat(h.get("/api/usage/logs", token(h, email, "upgrade-password")).body().get("items")).hasSize(1);
        }
    }

    private static boolean allCaughtUp(JsonNode projections) {
        boolean all = projections.size() > 0;
        for (JsonNode p : projections) {
            all &= "caught_up".equals(p.get("status").asText());
        }
        return all;
    }

    @Test
    void theHistoryExplainsTheBalanceNewestFirstWithStableIds() {
        Member ada = register();
        Member bob = register();
        String deposited = http.post("/api/admin/credits/deposit", adminToken, json("user_id", ada.id, "amount_usd",
                "10")).body().get("transaction_id").asText();
        http.post("/api/credits/transfer", ada.token, json("to", bob.email, "amount_usd", "2.5", "note", "lunch"));
        String deducted = http.post("/api/admin/credits/deduct", adminToken, json("user_id", ada.id, "amount_usd", "1",
                "note", "fee")).body().get("transaction_id").asText();

        Http.Answer first = http.get("/api/credits/transactions", ada.token);
        Http.Answer again = http.get("/api/credits/transactions?limit=50", ada.token);
        Http.Answer bobs = http.get("/api/credits/transactions", bob.token);

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        JsonNode items = first.body().get("items");
        assertThat(items).hasSize(3);
        assertThat(items.get(0).get("type").asText()).isEqualTo("deduction");
        assertThat(items.get(0).get("amount_usd").asText()).isEqualTo("-1");
        assertThat(items.get(0).get("balance_after_usd").asText()).isEqualTo("6.5");
        assertThat(items.get(0).get("counterparty").asText()).isEqualTo("adjustments");
        assertThat(items.get(1).get("type").asText()).isEqualTo("transfer_out");
        assertThat(items.get(1).get("amount_usd").asText()).isEqualTo("-2.5");
        assertThat(items.get(1).get("counterparty").asText()).isEqualTo(bob.id);
        assertThat(items.get(1).get("description").asText()).isEqualTo("lunch");
        assertThat(items.get(2).get("type").asText()).isEqualTo("deposit");
        assertThat(items.get(2).get("balance_after_usd").asText()).isEqualTo("10");
        // an admin's deposit or deduction is found in the history by the transaction id its answer gave
        assertThat(items.get(2).get("request_id").asText()).isEqualTo(deposited);
        assertThat(items.get(0).get("request_id").asText()).isEqualTo(deducted);
        assertThat(first.body().get("next_cursor").isNull()).isTrue();
        assertThat(again.body().get("items")).isEqualTo(items);
        assertThat(bobs.body().get("items").get(0).get("type").asText()).isEqualTo("transfer_in");
        assertThat(bobs.body().get("items").get(0).get("amount_usd").asText()).isEqualTo("2.5");
        assertThat(http.get("/api/credits/transactions?cursor=nonsense", ada.token).status()).isEqualTo(400);
        assertThat(http.get("/api/credits/transactions?limit=0", ada.token).status()).isEqualTo(400);
        assertThat(http.get("/api/credits/transactions?limit=many", ada.token).status()).isEqualTo(400);
    }

    @Test
    void pagesNeverSkipOrRepeatAnEntryWhileNewOnesArrive() throws Exception {
        // given 500 history rows (deposits sent concurrently, as a busy account would get them)
        Member user = register();
        Member payer = register();
        deposit(payer, "100");
        ExecutorService depositors = Executors.newFixedThreadPool(8);
        List<Future<?>> deposits = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            deposits.add(depositors.submit(() -> deposit(user, "1")));
        }
        for (Future<?> d : deposits) {
            d.get(120, TimeUnit.SECONDS);
        }
        depositors.shutdown();
        // when they are read page by page while transfers keep arriving
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> arriving = writer.submit(() -> {
            for (int i = 0; i < 40; i++) {
                http.post("/api/credits/transfer", payer.token, json("to", user.email, "amount_usd", "0.5"));
            }
        });
        List<JsonNode> seen = new ArrayList<>();
        String cursor = null;
        do {
            Http.Answer page = http.get("/api/credits/transactions?limit=25" + (cursor == null ? "" : "&cursor=" + cursor),
                    user.token);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.body().get("items").forEach(seen::add);
            cursor = page.body().get("next_cursor").isNull() ? null : page.body().get("next_cursor").asText();
        } while (cursor != null);
        arriving.get(60, TimeUnit.SECONDS);
        writer.shutdown();

        // then no entry is repeated and none is missing: each entry's balance before it is the balance after the
        // next older one, down to the first deposit
        assertThat(seen.stream().map(e -> e.get("id").asText()).distinct().count()).isEqualTo(seen.size());
        assertThat(seen.size()).isGreaterThanOrEqualTo(500);
        for (int i = 0; i < seen.size() - 1; i++) {
            BigDecimal before = new BigDecimal(seen.get(i).get("balance_after_usd").asText())
                    .subtract(new BigDecimal(seen.get(i).get("amount_usd").asText()));
            assertThat(before).isEqualByComparingTo(new BigDecimal(seen.get(i + 1).get("balance_after_usd").asText()));
        }
        assertThat(new BigDecimal(seen.get(seen.size() - 1).get("amount_usd").asText()))
                .isEqualByComparingTo(new BigDecimal(seen.get(seen.size() - 1).get("balance_after_usd").asText()));
        // and, now that nothing more arrives, a page asked for more than 200 entries holds the newest 200, with the
        // cursor to the rest
        Http.Answer newest = http.get("/api/credits/transactions?limit=1", user.token);
        Http.Answer large = http.get("/api/credits/transactions?limit=1000", user.token);
        assertThat(large.status()).as(large.toString()).isEqualTo(200);
        assertThat(large.body().get("items")).hasSize(200);
        assertThat(large.body().get("items").get(0)).isEqualTo(newest.body().get("items").get(0));
        assertThat(large.body().get("next_cursor").isNull()).isFalse();
    }

    @Test
    void theHistoryExportsAsCsvEveryEntryWithJsonsAmountsAndNoCellASpreadsheetWouldRun() throws Exception {
        // given more entries than one export page, and notes that a spreadsheet would run or that need quoting
        Member ada = register();
        Member bob = register();
        deposit(bob, "100");
        ExecutorService depositors = Executors.newFixedThreadPool(8);
        List<Future<?>> deposits = new ArrayList<>();
        for (int i = 0; i < 520; i++) {
            deposits.add(depositors.submit(() -> deposit(ada, "0.01")));
        }
        for (Future<?> d : deposits) {
            d.get(120, TimeUnit.SECONDS);
        }
        depositors.shutdown();
        String formula = "=HYPERLINK(\"http://evil.example\",\"click\")";
        String awkward = "+1, \"quoted\"\nsecond line";
        http.post("/api/admin/credits/deduct", adminToken, json("user_id", ada.id, "amount_usd", "1", "note", formula));
        http.post("/api/credits/transfer", bob.token, json("to", ada.email, "amount_usd", "2.5", "note", awkward));
        http.post("/api/credits/transfer", ada.token, json("to", bob.email, "amount_usd", "0.75", "note", "@SUM(A1)"));

        // when the history is read as CSV (by parameter and by Accept header) and as JSON, page by page
        Http.Answer byFormat = http.get("/api/credits/transactions?format=csv", ada.token);
        Http.Answer byAccept = http.send("GET", "/api/credits/transactions", ada.token, null,
                Map.of("Accept", "text/csv"));
        Http.Answer unknownFormat = http.get("/api/credits/transactions?format=xml", ada.token);
        List<JsonNode> json = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = http.get("/api/credits/transactions?limit=200" + (cursor == null ? "" : "&cursor=" + cursor),
                    ada.token).body();
            page.get("items").forEach(json::add);
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);

        // then the export is every entry, newest first, with the same ids, amounts and times as JSON
        assertThat(byFormat.status()).as(byFormat.toString()).isEqualTo(200);
        assertThat(byFormat.response().headers().firstValue("Content-Type").orElse("").toLowerCase())
                .startsWith("text/csv").contains("charset=utf-8");
        assertThat(byFormat.response().headers().firstValue("Content-Disposition").orElse(""))
                .startsWith("attachment").contains("filename=\"transactions.csv\"");
        assertThat(byAccept.raw()).isEqualTo(byFormat.raw());
        assertThat(byFormat.raw()).contains("\r\n");
        List<List<String>> records = parseCsv(byFormat.raw());
        assertThat(records.get(0)).containsExactly("id", "type", "amount_usd", "balance_after_usd", "at",
                "counterparty", "model", "request_id", "description");
        List<List<String>> rows = records.subList(1, records.size());
        assertThat(json).hasSize(523);
        assertThat(rows).hasSize(json.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode entry = json.get(i);
            assertThat(rows.get(i).subList(0, 5)).containsExactly(entry.get("id").asText(), entry.get("type").asText(),
                    entry.get("amount_usd").asText(), entry.get("balance_after_usd").asText(), entry.get("at").asText());
        }
        // and a cell that a spreadsheet would run is defused with an apostrophe; amounts stay numbers
        assertThat(rows.get(0)).containsSubsequence("transfer_out", "-0.75").endsWith("'@SUM(A1)");
        assertThat(rows.get(1)).containsSubsequence("transfer_in", "2.5").endsWith("'" + awkward);
        assertThat(rows.get(2)).containsSubsequence("deduction", "-1").endsWith("'" + formula);
        assertThat(unknownFormat.status()).isEqualTo(400);
        assertWellFormedError(unknownFormat);
    }

    /** An independent RFC 4180 reader for the tests: quoted fields may hold commas, doubled quotes and line breaks. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        assertThat(field.length() == 0 && record.isEmpty()).as("the last record ends with CRLF").isTrue();
        return records;
    }

    @Test
    void anAdminSeesTheEventsOfAnAccountOldestFirstInTheApisJsonConventions() {
        // given a user with a deposit
        Member user = register();
        deposit(user, "3");

        // when an admin asks for the account's events, by user id and by email, and others ask
        Http.Answer events = http.get("/api/admin/accounts/" + user.id + "/events", adminToken);
        Http.Answer byEmail = http.get("/api/admin/accounts/" + user.email + "/events", adminToken);
        Http.Answer asUser = http.get("/api/admin/accounts/" + user.id + "/events", user.token);
        Http.Answer unknown = http.get("/api/admin/accounts/no-such-account/events", adminToken);
        Http.Answer unknownEmail = http.get("/api/admin/accounts/nobody@example.com/events", adminToken);

        // then they come oldest first, snake_case, with amounts as USD strings and ids as plain strings
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        assertThat(events.body()).hasSize(2);
        assertThat(events.body().get(0).get("sequence").asLong()).isZero();
        assertThat(events.body().get(0).get("type").asText()).isEqualTo("AccountOpened");
        assertThat(events.body().get(1).get("type").asText()).isEqualTo("CreditsDeposited");
        JsonNode deposited = events.body().get(1).get("payload");
        assertThat(deposited.get("account_id").asText()).isEqualTo(user.id);
        assertThat(deposited.get("amount").isTextual()).as(deposited.toString()).isTrue();
        assertThat(deposited.get("amount").asText()).isEqualTo("3");
        assertThat(deposited.get("balance_after").asText()).isEqualTo("3");
        assertThat(deposited.get("entry_id").asText()).startsWith("dep_");
        assertThat(events.body().get(1).get("at").asText()).isNotBlank();
        assertThat(events.body().get(1).get("metadata").isObject()).isTrue();
        // the command that caused it is named: Axon's origin ids travel from a command to its events
        assertThat(events.body().get(1).get("metadata").get("correlation_id").asText()).isNotBlank();
        assertThat(events.body().get(1).get("metadata").get("trace_id").asText()).isNotBlank();
        for (JsonNode event : events.body()) {
            assertThat(fieldNames(event)).as(event.toString()).allMatch(name -> name.equals(name.toLowerCase()))
                    .doesNotContain("nanos", "value");
        }
        assertThat(byEmail.status()).as(byEmail.toString()).isEqualTo(200);
        assertThat(byEmail.body()).isEqualTo(events.body());
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknownEmail.status()).isEqualTo(404);
        assertWellFormedError(unknownEmail);
    }

    /** Every field name in {@code node}, at any depth. */
    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fields().forEachRemaining(field -> {
            names.add(field.getKey());
            names.addAll(fieldNames(field.getValue()));
        });
        if (node.isArray()) {
            node.forEach(item -> names.addAll(fieldNames(item)));
        }
        return names;
    }

    @Test
    void theLedgerCheckIsOkOnHonestDataAndReportsACorruptedReadModel() {
        Member user = register();
        deposit(user, "5");
        Http.Answer honest = http.get("/api/admin/ledger/check", adminToken);
        assertThat(honest.status()).as(honest.toString()).isEqualTo(200);
        assertThat(honest.body().get("ok").asBoolean()).as(honest.toString()).isTrue();
        assertThat(honest.body().get("problems")).isEmpty();

        JdbcTemplate jdbc = app.bean(JdbcTemplate.class);
        jdbc.update("UPDATE account_balance SET balance_nanos = balance_nanos + 1 WHERE account_id = ?", user.id);
        jdbc.update("UPDATE ledger_entry SET amount_nanos = amount_nanos + 7 WHERE account_id = ?", user.id);
        try {
            Http.Answer corrupted = http.get("/api/admin/ledger/check", adminToken);

            assertThat(corrupted.body().get("ok").asBoolean()).isFalse();
            assertThat(corrupted.body().get("problems").toString())
                    .contains("balance read model of " + user.id)
                    .contains("history of " + user.id)
                    .contains("double entry");
        } finally {
            jdbc.update("UPDATE account_balance SET balance_nanos = balance_nanos - 1 WHERE account_id = ?", user.id);
            jdbc.update("UPDATE ledger_entry SET amount_nanos = amount_nanos - 7 WHERE account_id = ?", user.id);
        }
        assertThat(http.get("/api/admin/ledger/check", adminToken).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void replayingEveryReadModelGivesTheSameRowsAsTheLiveOnes() {
        // given a mixed history: deposits, transfers, a deduction
        Member ada = register();
        Member bob = register();
        deposit(ada, "20");
        deposit(bob, "3");
        for (int i = 0; i < 5; i++) {
            http.post("/api/credits/transfer", ada.token, json("to", bob.email, "amount_usd", "1.1"));
            http.post("/api/credits/transfer", bob.token, json("to", ada.email, "amount_usd", "0.3"));
        }
        http.post("/api/admin/credits/deduct", adminToken, json("user_id", bob.id, "amount_usd", "0.01"));
        http.post("/api/ai/chat", ada.token, "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":8,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        // (the check and the usage log each wait until their read models have caught up with these accounts)
        Http.Answer check = http.get("/api/admin/ledger/check", adminToken);
        assertThat(check.body().path("ok").asBoolean()).as(check.toString()).isTrue();
        assertThat(http.get("/api/usage/logs", ada.token).body().get("items")).hasSize(1);
        JdbcTemplate jdbc = app.bean(JdbcTemplate.class);
        Map<String, List<Map<String, Object>>> live = readModels(jdbc);

        // when every read model is replayed
        for (String group : List.of("balances", "history", "usage")) {
            Http.Answer accepted = http.post("/api/admin/projections/" + group + "/replay", adminToken, "{}");
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        }
        assertThat(http.post("/api/admin/projections/transfer-process/replay", adminToken, "{}").status()).isEqualTo(409);
        assertThat(http.post("/api/admin/projections/nope/replay", adminToken, "{}").status()).isEqualTo(404);
        // (the processor the read models share is known by their names only, ADR 51)
        assertThat(http.post("/api/admin/projections/read-models/replay", adminToken, "{}").status()).isEqualTo(404);
        awaitCaughtUp();

        // then the rebuilt rows equal the live rows, row for row
        assertThat(readModels(jdbc)).isEqualTo(live);
        assertThat(http.get("/api/admin/ledger/check", adminToken).body().get("ok").asBoolean()).isTrue();
    }

    private void awaitCaughtUp() {
        awaitCaughtUp(List.of("balances", "history", "usage"));
    }

    private void awaitCaughtUp(List<String> groups) {
        for (int i = 0; i < 500; i++) {
            Http.Answer status = http.get("/api/admin/projections", adminToken);
            assertThat(status.status()).as(status.toString()).isEqualTo(200);
            boolean done = true;
            for (JsonNode p : status.body()) {
                if (groups.contains(p.get("name").asText())) {
                    done &= "caught_up".equals(p.get("status").asText());
                }
            }
            if (done) {
                return;
            }
            sleep(20);
        }
        throw new AssertionError(groups + " did not catch up: " + http.get("/api/admin/projections", adminToken));
    }

    private static Map<String, List<Map<String, Object>>> readModels(JdbcTemplate jdbc) {
        Map<String, List<Map<String, Object>>> tables = new java.util.TreeMap<>();
        tables.put("account_balance", jdbc.queryForList("SELECT * FROM account_balance ORDER BY account_id"));
        tables.put("ledger_entry", jdbc.queryForList("SELECT * FROM ledger_entry ORDER BY id"));
        tables.put("history_position", jdbc.queryForList("SELECT * FROM history_position ORDER BY account_id"));
        tables.put("usage_call", jdbc.queryForList("SELECT * FROM usage_call ORDER BY hold_id"));
        return tables;
    }

    @Test
    void aChatIsChargedExactlyWhatItsUsageCostsAndLeavesNoHold() {
        Member user = register();
        deposit(user, "1");
        String body = "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";

        Http.Answer chat = http.post("/api/ai/chat", user.token, body);

        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        JsonNode usage = chat.body().get("usage");
        long in = usage.get("input_tokens").asLong();
        long out = usage.get("output_tokens").asLong();
        assertThat(in).isPositive();
        assertThat(out).isPositive().isLessThanOrEqualTo(64);
        assertThat(usage.get("total_tokens").asLong()).isEqualTo(in + out);
        assertThat(usage.get("source").asText()).isEqualTo("provider");
        assertThat(chat.body().get("provider").asText()).isEqualTo("offline");
        // cost = ceil((in × 282,000,000 + out × 827,000,000) / 1,000,000) nano-USD
        BigDecimal nanos = BigDecimal.valueOf(in * 282_000_000L + out * 827_000_000L)
                .divide(BigDecimal.valueOf(1_000_000), 0, java.math.RoundingMode.CEILING);
        BigDecimal cost = nanos.movePointLeft(9);
        assertThat(new BigDecimal(chat.body().get("cost_usd").asText())).isEqualByComparingTo(cost);
        assertThat(new BigDecimal(chat.body().get("balance_usd").asText())).isEqualByComparingTo(BigDecimal.ONE.subtract(cost));
        JsonNode balance = balance(user);
        assertThat(new BigDecimal(balance.get("balance_usd").asText())).isEqualByComparingTo(BigDecimal.ONE.subtract(cost));
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        JsonNode charge = http.get("/api/credits/transactions", user.token).body().get("items").get(0);
        assertThat(charge.get("type").asText()).isEqualTo("charge");
        assertThat(charge.get("model").asText()).isEqualTo("@cf/meta/llama-3.1-8b-instruct");
        assertThat(charge.get("request_id").asText()).isEqualTo(chat.body().get("request_id").asText());
        assertThat(new BigDecimal(charge.get("amount_usd").asText())).isEqualByComparingTo(cost.negate());
    }

    @Test
    void usageShowsEveryCallByModelByDayAndAsALogAlsoInCsv() {
        Member user = register();
        deposit(user, "1");
        String body = "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"count to three\"}]}";
        JsonNode first = http.post("/api/ai/chat", user.token, body).body();
        JsonNode second = http.post("/api/ai/chat", user.token, body).body();
        BigDecimal spent = new BigDecimal(first.get("cost_usd").asText()).add(new BigDecimal(second.get("cost_usd").asText()));

        JsonNode stats = http.get("/api/usage/stats?days=30", user.token).body();
        JsonNode logs = http.get("/api/usage/logs?limit=10", user.token).body();
        JsonNode daily = http.get("/api/usage/daily?days=7", user.token).body();
        Http.Answer csv = http.get("/api/usage/logs?format=csv", user.token);
        Http.Answer dailyCsv = http.send("GET", "/api/usage/daily", user.token, null, Map.of("Accept", "text/csv"));

        assertThat(stats.get("total_requests").asLong()).isEqualTo(2);
        assertThat(new BigDecimal(stats.get("total_cost_usd").asText())).isEqualByComparingTo(spent);
        JsonNode llama = stats.get("by_model").get("@cf/meta/llama-3.1-8b-instruct");
        assertThat(llama.get("requests").asLong()).isEqualTo(2);
        assertThat(llama.get("input_tokens").asLong()).isEqualTo(first.get("usage").get("input_tokens").asLong() * 2);
        assertThat(logs.get("items")).hasSize(2);
        assertThat(logs.get("items").get(0).get("status").asText()).isEqualTo("ok");
        assertThat(logs.get("items").get(0).get("latency_ms").isNumber()).isTrue();
        assertThat(List.of(logs.get("items").get(0).get("request_id").asText(), logs.get("items").get(1).get("request_id").asText()))
                .containsExactlyInAnyOrder(first.get("request_id").asText(), second.get("request_id").asText());
        assertThat(daily).hasSize(1);
        assertThat(daily.get(0).get("requests").asLong()).isEqualTo(2);
        assertThat(new BigDecimal(daily.get(0).get("cost_usd").asText())).isEqualByComparingTo(spent);
        assertThat(csv.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.raw()).startsWith("request_id,at,model").contains(first.get("request_id").asText());
        assertThat(dailyCsv.raw()).startsWith("date,requests").contains(",2,");
        assertThat(csv.response().headers().firstValue("Content-Disposition").orElse(""))
                .isEqualTo("attachment; filename=\"usage-logs.csv\"");
        // a model id starts with @, which a spreadsheet would run: it is defused like any other text cell
        List<List<String>> statsCsv = parseCsv(http.get("/api/usage/stats?days=30&format=csv", user.token).raw());
        assertThat(statsCsv).containsExactly(
                List.of("model", "requests", "input_tokens", "output_tokens", "cost_usd"),
                List.of("'@cf/meta/llama-3.1-8b-instruct", "2", llama.get("input_tokens").asText(),
                        llama.get("output_tokens").asText(), llama.get("cost_usd").asText()));
    }

    @Test
    void concurrentChatsUnderAHardStopNeverSpendPastTheDailyBudget() throws Exception {
        // given money for many calls but a daily budget with a hard stop for only a few (ADR 27)
        Member user = register();
        deposit(user, "1");
        Http.Answer set = http.send("PUT", "/api/credits/budget", user.token,
                "{\"daily_limit_usd\":\"0.0003\",\"hard_stop\":true}", Map.of());
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        String body = "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";

        // when 20 chats arrive at once
        Ran ran = twentyChatsAtOnce(user.token, body);
        int ok = ran.ok();
        BigDecimal charged = ran.charged();

        // then some ran, some were refused, and the day's spend is exactly what ran and within the limit
        JsonNode budget = http.get("/api/credits/budget", user.token).body();
        assertThat(ok).isPositive().isLessThan(20);
        assertThat(new BigDecimal(budget.get("spent_today_usd").asText())).isEqualByComparingTo(charged)
                .isLessThanOrEqualTo(new BigDecimal("0.0003"));
        assertThat(new BigDecimal(balance(user).get("balance_usd").asText()))
                .isEqualByComparingTo(BigDecimal.ONE.subtract(charged));
        assertThat(balance(user).get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void concurrentChatsOfACappedTeamKeyNeverSpendPastItsCapAndTheTeamPaysForWhatRan() throws Exception {
        // given a team funded by its owner, and a member whose team key is capped at a few calls (ADR 32)
        Member owner = register();
        Member member = register();
        deposit(owner, "2");
        String team = http.post("/api/teams", owner.token, json("name", "contract")).body().get("id").asText();
        Http.Answer added = http.post("/api/teams/" + team + "/members", owner.token, json("email", member.email));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        Http.Answer funded = http.post("/api/credits/transfer", owner.token,
                json("to", "team:" + team, "amount_usd", "1"));
        assertThat(funded.body().get("balance_usd").asText()).isEqualTo("1");
        String key = http.post("/api/teams/" + team + "/api-keys", member.token,
                "{\"name\":\"capped\",\"spend_cap_usd\":\"0.0003\"}").body().get("key").asText();
        String body = "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";

        // when 20 chats arrive at once with that key
        Ran ran = twentyChatsAtOnce(key, body);
        int ok = ran.ok();
        BigDecimal charged = ran.charged();

        // then some ran and some were refused; the key spent exactly what ran, within its cap, all of it the team's
        assertThat(ok).isPositive().isLessThan(20);
        JsonNode keys = http.get("/api/teams/" + team + "/api-keys", owner.token).body();
        assertThat(new BigDecimal(keys.get(0).get("spent_usd").asText())).isEqualByComparingTo(charged)
                .isLessThanOrEqualTo(new BigDecimal("0.0003"));
        JsonNode teamBalance = http.get("/api/teams/" + team + "/balance", member.token).body();
        assertThat(new BigDecimal(teamBalance.get("balance_usd").asText()))
                .isEqualByComparingTo(BigDecimal.ONE.subtract(charged));
        assertThat(teamBalance.get("held_usd").asText()).isEqualTo("0");
        assertThat(balance(member).get("balance_usd").asText()).isEqualTo("0");
        assertThat(balance(owner).get("balance_usd").asText()).isEqualTo("1");
        JsonNode stats = http.get("/api/teams/" + team + "/usage/stats", owner.token).body();
        assertThat(stats.get("total_requests").asInt()).isEqualTo(ok);
        assertThat(new BigDecimal(stats.get("total_cost_usd").asText())).isEqualByComparingTo(charged);
    }

    /** How many of a burst of calls ran, and what they were charged together. */
    private record Ran(int ok, BigDecimal charged) {
    }

    /** Twenty chats at once with one credential; each either runs or is refused as over a budget or cap. */
    private Ran twentyChatsAtOnce(String credential, String body) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Future<Http.Answer>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(pool.submit(() -> http.post("/api/ai/chat", credential, body)));
            }
            BigDecimal charged = BigDecimal.ZERO;
            int ok = 0;
            for (java.util.concurrent.Future<Http.Answer> call : calls) {
                Http.Answer answer = call.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (answer.status() == 200) {
                    ok++;
                    charged = charged.add(new BigDecimal(answer.body().get("cost_usd").asText()));
                } else {
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(402);
                    assertThat(answer.errorCode()).isEqualTo("budget_exceeded");
                    assertWellFormedError(answer);
                }
            }
            return new Ran(ok, charged);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void recommendationsNameTheCheapestModelForTheSameTokensWithTheSaving() {
        // given two chats on llama-3.1-8b
        Member user = register();
        deposit(user, "1");
        String body = "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":32,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Suggest a pizza topping\"}]}";
        long in = 0;
        long out = 0;
        BigDecimal paid = BigDecimal.ZERO;
        for (int i = 0; i < 2; i++) {
            JsonNode chat = http.post("/api/ai/chat", user.token, body).body();
            in += chat.get("usage").get("input_tokens").asLong();
            out += chat.get("usage").get("output_tokens").asLong();
            paid = paid.add(new BigDecimal(chat.get("cost_usd").asText()));
        }

        // when they ask for recommendations
        Http.Answer answer = http.get("/api/usage/recommendations?days=30", user.token);

        // then llama-3.2-1b is named with its cost for the same tokens, ceil((in × 0.027 + out × 0.201) / 1e6 $)
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body()).hasSize(1);
        JsonNode tip = answer.body().get(0);
        BigDecimal alternative = BigDecimal.valueOf(in * 27_000_000L + out * 201_000_000L)
                .divide(BigDecimal.valueOf(1_000_000), 0, java.math.RoundingMode.CEILING).movePointLeft(9);
        assertThat(tip.get("model").asText()).isEqualTo("@cf/meta/llama-3.1-8b-instruct");
        assertThat(new BigDecimal(tip.get("cost_usd").asText())).isEqualByComparingTo(paid);
        assertThat(tip.get("alternative").asText()).isEqualTo("@cf/meta/llama-3.2-1b-instruct");
        assertThat(new BigDecimal(tip.get("alternative_cost_usd").asText())).isEqualByComparingTo(alternative);
        assertThat(new BigDecimal(tip.get("saving_usd").asText())).isEqualByComparingTo(paid.subtract(alternative));
        assertThat(http.get("/api/usage/recommendations?days=0", user.token).status()).isEqualTo(400);
    }

    @Test
    void reportedUsageIsChargedOncePerRequestIdAtThePriceBooksPrice() {
        // given a funded user who ran 1,000 input and 500 output tokens on llama-3.1-8b elsewhere
        Member user = register();
        deposit(user, "1");
        String report = "{\"provider\":\"cloudflare\",\"model\":\"@cf/meta/llama-3.1-8b-instruct\","
                + "\"input_tokens\":1000,\"output_tokens\":500,\"request_id\":\"ext-1\"}";

        // when they report it, report it again, and report other numbers under the same id
        Http.Answer first = http.post("/api/usage", user.token, report);
        Http.Answer again = http.post("/api/usage", user.token, report);
        Http.Answer other = http.post("/api/usage", user.token, report.replace("500", "501"));

        // then it costs (1,000 × 282,000,000 + 500 × 827,000,000) / 1e6 = 695,500 nano-USD, charged once
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.body().get("cost_usd").asText()).isEqualTo("0.0006955");
        assertThat(first.body().get("balance_usd").asText()).isEqualTo("0.9993045");
        assertThat(first.body().get("charge_id").asText()).isNotBlank();
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(other.errorMessage()).contains("request_id ext-1").doesNotContain("Idempotency-Key");
        assertWellFormedError(other);
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("0.9993045");
        assertThat(balance(user).get("held_usd").asText()).isEqualTo("0");
        // and it is a usage row like any call, its tokens marked as reported
        JsonNode log = http.get("/api/usage/logs?limit=5", user.token).body().get("items");
        assertThat(log).hasSize(1);
        assertThat(log.get(0).get("request_id").asText()).isEqualTo("ext-1");
        assertThat(log.get(0).get("token_source").asText()).isEqualTo("reported");
        assertThat(log.get(0).get("cost_usd").asText()).isEqualTo("0.0006955");
    }

    @Test
    void aBadUsageReportIsRefusedAndChargesNothing() {
        Member user = register();
        deposit(user, "1");
        String good = "{\"provider\":\"cloudflare\",\"model\":\"@cf/meta/llama-3.1-8b-instruct\","
                + "\"input_tokens\":10,\"output_tokens\":5,\"request_id\":\"ext-bad\"}";
        List<Http.Answer> refused = List.of(
                http.post("/api/usage", user.token, good.replace("\"cloudflare\"", "\"  \"")),
                http.post("/api/usage", user.token, good.replace("llama-3.1-8b-instruct", "nope")),
                http.post("/api/usage", user.token, good.replace("\"input_tokens\":10", "\"input_tokens\":-1")),
                http.post("/api/usage", user.token, good.replace("\"input_tokens\":10", "\"input_tokens\":\"10\"")),
                http.post("/api/usage", user.token, good.replace("\"input_tokens\":10", "\"input_tokens\":1.5")),
                http.post("/api/usage", user.token, good.replace(",\"request_id\":\"ext-bad\"", "")),
                http.post("/api/usage", user.token, good.replace("}", ",\"at\":\"2999-01-01T00:00:00Z\"}")),
                http.post("/api/usage", user.token, good.replace("}", ",\"at\":\"yesterday\"}")),
                http.post("/api/usage", user.token, "{\"provider\":"),
                http.post("/api/usage", user.token, good.replace("@cf/meta/llama-3.1-8b-instruct",
                        "@cf/black-forest-labs/flux-1-schnell")));

        assertThat(refused).extracting(Http.Answer::status).containsExactly(400, 404, 400, 400, 400, 400, 400, 400, 400,
                400);
        // a model priced per unit cannot be reported in tokens: the report's mistake, no upstream involved
        assertThat(refused.get(9).errorCode()).isEqualTo("invalid_request");
        refused.forEach(LedgerEndToEndContract::assertWellFormedError);
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("1");
        // while the provider is only a label: the model decides the price, however the client spells its provider
        Http.Answer labelled = http.post("/api/usage", user.token,
                good.replace("\"cloudflare\"", "\"Cloudflare Workers AI\"").replace("ext-bad", "ext-labelled"));
        assertThat(labelled.status()).as(labelled.toString()).isEqualTo(201);
        assertThat(labelled.body().get("cost_usd").asText()).isEqualTo("0.000006955");

        // and a report the balance cannot cover is a 402 that keeps nothing: after a top-up the same id is charged
        Member broke = register();
        Http.Answer poor = http.post("/api/usage", broke.token, good);
        deposit(broke, "1");
        Http.Answer paid = http.post("/api/usage", broke.token, good);
        assertThat(poor.status()).as(poor.toString()).isEqualTo(402);
        assertThat(poor.errorCode()).isEqualTo("insufficient_funds");
        assertThat(paid.status()).as(paid.toString()).isEqualTo(201);
    }

    @Test
    void aUsageReportNamesBothTokenCountsAndZeroIsACount() {
        // given a funded user with a report of 10 input and 5 output tokens
        Member user = register();
        deposit(user, "1");
        String good = "{\"provider\":\"cloudflare\",\"model\":\"@cf/meta/llama-3.1-8b-instruct\","
                + "\"input_tokens\":10,\"output_tokens\":5,\"request_id\":\"ext-counts\"}";

        // when it is sent without input_tokens, without output_tokens, or with a null count, and then with 0 output
        List<Http.Answer> refused = List.of(
                http.post("/api/usage", user.token, good.replace("\"input_tokens\":10,", "")),
                http.post("/api/usage", user.token, good.replace("\"output_tokens\":5,", "")),
                http.post("/api/usage", user.token, good.replace("\"output_tokens\":5", "\"output_tokens\":null")));
        Http.Answer zero = http.post("/api/usage", user.token, good.replace("\"output_tokens\":5", "\"output_tokens\":0"));

        // then each report missing a count is a 400 naming it, charging nothing and keeping no request_id
        assertThat(refused).extracting(Http.Answer::status).containsExactly(400, 400, 400);
        assertThat(refused).extracting(Http.Answer::errorCode).containsOnly("invalid_request");
        assertThat(refused).extracting(Http.Answer::errorMessage).satisfiesExactly(
                message -> assertThat(message).contains("input_tokens"),
                message -> assertThat(message).contains("output_tokens"),
                message -> assertThat(message).contains("output_tokens"));
        refused.forEach(LedgerEndToEndContract::assertWellFormedError);
        // and an explicit 0 is a count: 10 × 282,000,000 / 1e6 = 2,820 nano-USD, charged under the same request_id
        assertThat(zero.status()).as(zero.toString()).isEqualTo(201);
        assertThat(zero.body().get("cost_usd").asText()).isEqualTo("0.00000282");
        assertThat(balance(user).get("balance_usd").asText()).isEqualTo("0.99999718");
    }

    @Test
    void aChatWithoutFundsIsRefusedBeforeAnyHoldAndAnUnknownModelIsA404() {
        Member broke = register();
        String body = "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        Http.Answer refused = http.post("/api/ai/chat", broke.token, body);
        Http.Answer unknown = http.post("/api/ai/chat", broke.token, body.replace("llama-3.1-8b-instruct", "nope"));
        Http.Answer invalid = http.post("/api/ai/chat", broke.token, "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"messages\":[]}");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(402);
        assertThat(refused.errorCode()).isEqualTo("insufficient_funds");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("model_not_found");
        assertThat(invalid.status()).isEqualTo(400);
        Stream.of(refused, unknown, invalid).forEach(LedgerEndToEndContract::assertWellFormedError);
        assertThat(balance(broke).get("held_usd").asText()).isEqualTo("0");
        assertThat(http.get("/api/admin/accounts/" + broke.id + "/events", adminToken).body()).hasSize(1);
    }

    @Test
    void modelsAndPricesAreListedInUsd() {
        Member user = register();
        Http.Answer models = http.get("/api/ai/models", user.token);
        Http.Answer pricing = http.get("/api/credits/pricing", user.token);

        assertThat(models.status()).isEqualTo(200);
        JsonNode llama = null;
        for (JsonNode m : models.body()) {
            if (m.get("id").asText().equals("@cf/meta/llama-3.1-8b-instruct")) {
                llama = m;
            }
        }
        assertThat(llama).isNotNull();
        assertThat(llama.get("input_usd_per_m").asText()).isEqualTo("0.282");
        assertThat(llama.get("output_usd_per_m").asText()).isEqualTo("0.827");
        assertThat(llama.get("provider").asText()).isEqualTo("offline");
        assertThat(pricing.body().get(0).has("model")).isTrue();
        assertThat(pricing.body().get(0).has("input_usd_per_m")).isTrue();
    }

    // ---- helpers ----

    record Member(String id, String email, String token) {
    }

    private Member register() {
        String email = "user-" + System.nanoTime() + "@example.com";
        Http.Answer created = http.post("/api/auth/register", null, json("email", email, "password", "correct-horse"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Member(created.body().get("id").asText(), email, login(email, "correct-horse"));
    }

    private String login(String email, String password) {
        return token(http, email, password);
    }

    private static String token(Http h, String email, String password) {
        Http.Answer answer = h.post("/api/auth/login", null, json("email", email, "password", password));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("token_type").asText()).isEqualTo("bearer");
        return answer.body().get("access_token").asText();
    }

    private void deposit(Member m, String amount) {
        Http.Answer answer = http.post("/api/admin/credits/deposit", adminToken, json("user_id", m.id, "amount_usd", amount));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    }

    private JsonNode balance(Member m) {
        Http.Answer answer = http.get("/api/credits/balance", m.token);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.body();
    }

    private BigDecimal total(List<Member> members) {
        return members.stream().map(m -> new BigDecimal(balance(m).get("balance_usd").asText()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    static void assertWellFormedError(Http.Answer answer) {
        JsonNode error = answer.body().get("error");
        assertThat(error).as(answer.toString()).isNotNull();
        assertThat(error.get("code").asText()).isNotBlank();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("request_id").asText()).isNotBlank();
        assertThat(answer.raw()).doesNotContain("Exception", "org.", "java.", "SQL", "at dev.");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
