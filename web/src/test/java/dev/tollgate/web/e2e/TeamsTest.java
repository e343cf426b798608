package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.QueueDispatcher;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Teams over HTTP (ADR 32): a shared account funded by transfers to {@code team:{id}}, spent through members' team
 * keys, each capped if its owner says so; nobody outside the team sees or moves its money.
 */
class TeamsTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    /** (20 × 282,000,000 + 50 × 827,000,000) / 1e6 = 46,990 nano-USD per call. */
    private static final String ANSWER = "{\"result\":{\"response\":\"ok\",\"usage\":{\"prompt_tokens\":20,"
            + "\"completion_tokens\":50,\"total_tokens\":70}},\"success\":true,\"errors\":[]}";
    private static final String COST = "0.00004699";

    private record Person(String id, String email, String token) {
    }

    private Person person(String usd) {
        String email = "member-" + System.nanoTime() + "@example.com";
        String id = http.post("/api/auth/register", null, json("email", email, "password", "team-pass-1"))
                .body().get("id").asText();
        if (usd != null) {
            http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", usd));
        }
        return new Person(id, email, login(email, "team-pass-1"));
    }

    private String team(Person owner, String name) {
        Http.Answer created = http.post("/api/teams", owner.token(), json("name", name));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.body().get("id").asText();
    }

    private void addMember(String team, Person owner, Person member) {
        Http.Answer added = http.post("/api/teams/" + team + "/members", owner.token(),
                json("email", member.email(), "role", "member"));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
    }

    private JsonNode teamKey(String team, Person member, String capJson) {
        Http.Answer key = http.post("/api/teams/" + team + "/api-keys", member.token(),
                "{\"name\":\"ci\"" + (capJson == null ? "" : ",\"spend_cap_usd\":" + capJson) + "}");
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        return key.body();
    }

    private Http.Answer fund(Person from, String team, String usd) {
        return http.post("/api/credits/transfer", from.token(), json("to", "team:" + team, "amount_usd", usd));
    }

    private Http.Answer put(String path, String token, String body) {
        return http.send("PUT", path, token, body, Map.of());
    }

    private static String balance(Http http, String path, String token) {
        return http.get(path, token).body().get("balance_usd").asText();
    }

    @Test
    void aNewTeamHasItsOwnEmptyAccountAndItsCreatorOwnsIt() {
        Person owner = person(null);

        Http.Answer created = http.post("/api/teams", owner.token(), json("name", "Research"));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.body().get("id").asText();
        assertThat(created.body().get("name").asText()).isEqualTo("Research");
        assertThat(created.body().get("account_id").asText()).isEqualTo("team:" + id);
        JsonNode balance = http.get("/api/teams/" + id + "/balance", owner.token()).body();
        assertThat(balance.get("account_id").asText()).isEqualTo("team:" + id);
        assertThat(balance.get("balance_usd").asText()).isEqualTo("0");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        assertThat(balance.get("currency").asText()).isEqualTo("USD");
        JsonNode mine = http.get("/api/teams", owner.token()).body();
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0).get("role").asText()).isEqualTo("owner");
        JsonNode detail = http.get("/api/teams/" + id, owner.token()).body();
        assertThat(detail.get("members").get(0).get("email").asText()).isEqualTo(owner.email());
    }

    @Test
    void teamsAndTheirKeysAreListedWithTheSameCreatedAtTheyWereCreatedWith() {
        // given an owner who creates a few teams, and a few keys of one of them
        Person owner = person(null);
        Map<String, String> teamsCreatedAt = new HashMap<>();
        Map<String, String> keysCreatedAt = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Http.Answer created = http.post("/api/teams", owner.token(), json("name", "Dated " + i));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            teamsCreatedAt.put(created.body().get("id").asText(), created.body().get("created_at").asText());
        }
        String team = teamsCreatedAt.keySet().iterator().next();
        for (int i = 0; i < 3; i++) {
            JsonNode key = teamKey(team, owner, null);
            keysCreatedAt.put(key.get("id").asText(), key.get("created_at").asText());
        }

        // when they list their teams and that team's keys
        JsonNode teams = http.get("/api/teams", owner.token()).body();
        JsonNode keys = http.get("/api/teams/" + team + "/api-keys", owner.token()).body();

        // then each shows the created_at its creation answered, to the character
        Map<String, String> teamsListedAt = new HashMap<>();
        teams.forEach(t -> teamsListedAt.put(t.get("id").asText(), t.get("created_at").asText()));
        Map<String, String> keysListedAt = new HashMap<>();
        keys.forEach(k -> keysListedAt.put(k.get("id").asText(), k.get("created_at").asText()));
        assertThat(teamsListedAt).isEqualTo(teamsCreatedAt);
        assertThat(keysListedAt).isEqualTo(keysCreatedAt);
    }

    @Test
    void membersFundTheTeamByTransferAndItsKeysSpendTheTeamsMoneyNotTheirHolders() {
        // given a team funded with 2 USD by its owner, and a member with no money of their own and a team key
        Person owner = person("5");
        Person member = person(null);
        String team = team(owner, "Lab");
        addMember(team, owner, member);
        Http.Answer funding = fund(owner, team, "2");
        JsonNode created = teamKey(team, member, null);
        String key = created.get("key").asText();
        workersAi.enqueue(json200(ANSWER));

        // when the member calls a model with the team key
        Http.Answer chat = http.post("/api/ai/chat", key, CHAT);

        // then the team pays exactly the cost, the member and owner pay nothing for it, and the team's numbers say so
        assertThat(funding.status()).as(funding.toString()).isEqualTo(200);
        assertThat(funding.body().get("balance_usd").asText()).isEqualTo("3");
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        assertThat(chat.body().get("cost_usd").asText()).isEqualTo(COST);
        assertThat(chat.body().get("balance_usd").asText()).isEqualTo("1.99995301");
        assertThat(balance(http, "/api/teams/" + team + "/balance", owner.token())).isEqualTo("1.99995301");
        assertThat(balance(http, "/api/credits/balance", key)).isEqualTo("1.99995301");
        assertThat(balance(http, "/api/credits/balance", member.token())).isEqualTo("0");
        assertThat(balance(http, "/api/credits/balance", owner.token())).isEqualTo("3");
        JsonNode stats = http.get("/api/teams/" + team + "/usage/stats", member.token()).body();
        assertThat(stats.get("total_requests").asLong()).isEqualTo(1);
        assertThat(stats.get("total_cost_usd").asText()).isEqualTo(COST);
        JsonNode byMember = stats.get("by_member").get(member.id());
        assertThat(byMember.get("email").asText()).isEqualTo(member.email());
        assertThat(byMember.get("requests").asLong()).isEqualTo(1);
        assertThat(byMember.get("cost_usd").asText()).isEqualTo(COST);
        assertThat(stats.get("by_member").has(owner.id())).isFalse();
        JsonNode log = http.get("/api/teams/" + team + "/usage/logs", owner.token()).body().get("items");
        assertThat(log.get(0).get("api_key_id").asText()).isEqualTo(created.get("id").asText());
        assertThat(http.get("/api/usage/stats", member.token()).body().get("total_requests").asLong()).isZero();
        JsonNode history = http.get("/api/teams/" + team + "/transactions", owner.token()).body().get("items");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("amount_usd").asText()).isEqualTo("-" + COST);
        assertThat(history.get(1).get("amount_usd").asText()).isEqualTo("2");
        JsonNode keys = http.get("/api/teams/" + team + "/api-keys", owner.token()).body();
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).get("spent_usd").asText()).isEqualTo(COST);
        assertThat(keys.get(0).get("user_id").asText()).isEqualTo(member.id());
    }

    @Test
    void aKeyCappedBelowACallIsRefusedBeforeTheProviderOnEverySurface() throws InterruptedException {
        // given a funded team and a member's key capped at less than one call's upper bound
        Person owner = person("5");
        Person member = person(null);
        String team = team(owner, "Capped");
        addMember(team, owner, member);
        fund(owner, team, "1");
        JsonNode key = teamKey(team, member, "\"0.00001\"");

        // when the member calls through each surface
        Http.Answer own = http.post("/api/ai/chat", key.get("key").asText(), CHAT);
        Http.Answer openAi = http.post("/v1/chat/completions", key.get("key").asText(), CHAT);
        Http.Answer cloudflare = http.post("/client/v4/accounts/any/ai/run/" + MODEL, key.get("key").asText(),
                "{\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}");

        // then each is refused as over budget, the provider never heard of it, and nothing moved
        assertThat(key.get("spend_cap_usd").asText()).isEqualTo("0.00001");
        assertThat(own.status()).as(own.toString()).isEqualTo(402);
        assertThat(own.errorCode()).isEqualTo("budget_exceeded");
        assertThat(own.body().get("error").get("message").asText()).contains("spend cap");
        assertThat(openAi.status()).as(openAi.toString()).isEqualTo(402);
        assertThat(cloudflare.status()).as(cloudflare.toString()).isEqualTo(402);
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        JsonNode balance = http.get("/api/teams/" + team + "/balance", owner.token()).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void concurrentCallsOfACappedKeyNeverSpendPastItsCap() throws Exception {
        // given a well-funded team and a key capped for a few calls, and a provider that answers every call alike
        Person owner = person("5");
        Person member = person(null);
        String team = team(owner, "Busy");
        addMember(team, owner, member);
        fund(owner, team, "2");
        String key = teamKey(team, member, "\"0.0003\"").get("key").asText();
        AtomicInteger upstreamCalls = new AtomicInteger();
        workersAi.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                upstreamCalls.incrementAndGet();
                return json200(ANSWER);
            }
        });
        try {
            // when 24 calls arrive at once
            int ok = burstOfChats(key, CHAT, 24);

            // then the key spent exactly its charged calls, within its cap; the refused calls never ran
            JsonNode keys = http.get("/api/teams/" + team + "/api-keys", owner.token()).body();
            BigDecimal spent = new BigDecimal(keys.get(0).get("spent_usd").asText());
            assertThat(ok).isPositive().isLessThan(24);
            assertThat(upstreamCalls.get()).isEqualTo(ok);
            assertThat(spent).isEqualByComparingTo(new BigDecimal(COST).multiply(BigDecimal.valueOf(ok)))
                    .isLessThanOrEqualTo(new BigDecimal("0.0003"));
            JsonNode balance = http.get("/api/teams/" + team + "/balance", owner.token()).body();
            assertThat(new BigDecimal(balance.get("balance_usd").asText()))
                    .isEqualByComparingTo(new BigDecimal("2").subtract(spent));
            assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        } finally {
            workersAi.setDispatcher(new QueueDispatcher());
        }
    }

    @Test
    void onlyAnOwnerRaisesOrSetsCapsOnOthersKeysAndAMemberMayOnlyLowerTheirOwn() {
        Person owner = person(null);
        Person member = person(null);
        String team = team(owner, "Rules");
        addMember(team, owner, member);
        String memberKey = teamKey(team, member, "\"1\"").get("id").asText();
        String ownerKey = teamKey(team, owner, null).get("id").asText();
        String memberKeyPath = "/api/teams/" + team + "/api-keys/" + memberKey;

        Http.Answer raiseOwn = put(memberKeyPath, member.token(), "{\"spend_cap_usd\":\"5\"}");
        Http.Answer removeOwn = put(memberKeyPath, member.token(), "{\"spend_cap_usd\":null}");
        Http.Answer capOwner = put("/api/teams/" + team + "/api-keys/" + ownerKey, member.token(),
                "{\"spend_cap_usd\":\"0\"}");
        Http.Answer lowerOwn = put(memberKeyPath, member.token(), "{\"spend_cap_usd\":\"0.5\"}");
        Http.Answer ownerRaises = put(memberKeyPath, owner.token(), "{\"spend_cap_usd\":\"3\"}");

        assertThat(raiseOwn.status()).as(raiseOwn.toString()).isEqualTo(403);
        assertThat(removeOwn.status()).as(removeOwn.toString()).isEqualTo(403);
        assertThat(capOwner.status()).as(capOwner.toString()).isEqualTo(403);
        assertThat(lowerOwn.status()).as(lowerOwn.toString()).isEqualTo(200);
        assertThat(lowerOwn.body().get("spend_cap_usd").asText()).isEqualTo("0.5");
        assertThat(ownerRaises.status()).as(ownerRaises.toString()).isEqualTo(200);
        assertThat(ownerRaises.body().get("spend_cap_usd").asText()).isEqualTo("3");
        assertThat(http.get("/api/teams/" + team + "/api-keys", member.token()).body()).hasSize(1);
        assertThat(http.get("/api/teams/" + team + "/api-keys", owner.token()).body()).hasSize(2);
    }

    @Test
    void anOwnerMayCreateACappedKeyForAMemberButAMemberOnlyForThemselves() {
        Person owner = person(null);
        Person member = person(null);
        Person outsider = person(null);
        String team = team(owner, "Issued");
        addMember(team, owner, member);

        Http.Answer forMember = http.post("/api/teams/" + team + "/api-keys", owner.token(),
                json("name", "for-member", "email", member.email(), "spend_cap_usd", "2"));
        Http.Answer forOwner = http.post("/api/teams/" + team + "/api-keys", member.token(),
                json("name", "for-owner", "user_id", owner.id()));
        Http.Answer forOutsider = http.post("/api/teams/" + team + "/api-keys", owner.token(),
                json("name", "for-outsider", "user_id", outsider.id()));

        assertThat(forMember.status()).as(forMember.toString()).isEqualTo(201);
        assertThat(forMember.body().get("user_id").asText()).isEqualTo(member.id());
        assertThat(forMember.body().get("spend_cap_usd").asText()).isEqualTo("2");
        assertThat(forMember.body().get("key").asText()).startsWith("tg_");
        assertThat(forOwner.status()).as(forOwner.toString()).isEqualTo(403);
        assertThat(forOutsider.status()).as(forOutsider.toString()).isEqualTo(404);
        JsonNode membersKeys = http.get("/api/teams/" + team + "/api-keys", member.token()).body();
        assertThat(membersKeys).hasSize(1);
        assertThat(membersKeys.get(0).get("spend_cap_usd").asText()).isEqualTo("2");
        assertThat(membersKeys.get(0).has("key")).isFalse();
    }

    @Test
    void aMembersCapBindsEveryKeyTheyHaveOrMakeAndOnlyAnOwnerSetsIt() throws InterruptedException {
        // given a member capped at one call's cost, who spent it with one key
        Person owner = person("5");
        Person member = person(null);
        String team = team(owner, "Bounded");
        http.post("/api/teams/" + team + "/members", owner.token(),
                "{\"email\":\"" + member.email() + "\",\"spend_cap_usd\":\"0.0001\"}");
        fund(owner, team, "1");
        workersAi.enqueue(json200(ANSWER));
        assertThat(http.post("/api/ai/chat", teamKey(team, member, null).get("key").asText(), CHAT).status())
                .isEqualTo(200);
        assertThat(workersAi.takeRequest(1, TimeUnit.SECONDS)).isNotNull();

        // when they make a fresh key without a cap, and try to raise their own member cap
        String fresh = teamKey(team, member, null).get("key").asText();
        Http.Answer next = http.post("/api/ai/chat", fresh, CHAT);
        Http.Answer raise = put("/api/teams/" + team + "/members/" + member.id(), member.token(),
                "{\"spend_cap_usd\":\"100\"}");

        // then the fresh key is refused before the provider, and only the owner may change the member's cap
        assertThat(next.status()).as(next.toString()).isEqualTo(402);
        assertThat(next.body().get("error").get("message").asText()).contains("your spend cap in this team");
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(raise.status()).as(raise.toString()).isEqualTo(403);
        JsonNode detail = http.get("/api/teams/" + team, owner.token()).body().get("members");
        JsonNode row = detail.get(0).get("user_id").asText().equals(member.id()) ? detail.get(0) : detail.get(1);
        assertThat(row.get("spend_cap_usd").asText()).isEqualTo("0.0001");
        assertThat(row.get("spent_usd").asText()).isEqualTo(COST);
        Http.Answer lifted = put("/api/teams/" + team + "/members/" + member.id(), owner.token(),
                "{\"spend_cap_usd\":null}");
        assertThat(lifted.status()).as(lifted.toString()).isEqualTo(200);
        assertThat(lifted.body().get("spend_cap_usd").isNull()).isTrue();
        assertThat(lifted.body().get("role").asText()).isEqualTo("member");
        workersAi.enqueue(json200(ANSWER));
        assertThat(http.post("/api/ai/chat", fresh, CHAT).status()).isEqualTo(200);
    }

    @Test
    void twoMembersUsingTheSameIdempotencyKeyAreTwoCalls() {
        // given two members of one team, each with a team key
        Person owner = person("5");
        Person member = person(null);
        String team = team(owner, "Retries");
        addMember(team, owner, member);
        fund(owner, team, "1");
        String ownersKey = teamKey(team, owner, null).get("key").asText();
        String membersKey = teamKey(team, member, null).get("key").asText();
        workersAi.enqueue(json200(ANSWER));
        workersAi.enqueue(json200(ANSWER));

        // when both send the same chat under the same Idempotency-Key, and the member retries it
        Http.Answer first = http.post("/api/ai/chat", ownersKey, CHAT, Map.of("Idempotency-Key", "job-1"));
        Http.Answer second = http.post("/api/ai/chat", membersKey, CHAT, Map.of("Idempotency-Key", "job-1"));
        Http.Answer retry = http.post("/api/ai/chat", membersKey, CHAT, Map.of("Idempotency-Key", "job-1"));

        // then each member's call ran and was charged once; the retry answered the member's own call
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().get("request_id").asText()).isNotEqualTo(first.body().get("request_id").asText());
        assertThat(retry.body().get("request_id").asText()).isEqualTo(second.body().get("request_id").asText());
        assertThat(balance(http, "/api/teams/" + team + "/balance", owner.token())).isEqualTo("0.99990602");
    }

    @Test
    void anOwnersCapAppliesToTheKeysNextCall() {
        // given a member's uncapped key that made one call
        Person owner = person("5");
        Person member = person(null);
        String team = team(owner, "Later");
        addMember(team, owner, member);
        fund(owner, team, "1");
        JsonNode key = teamKey(team, member, null);
        workersAi.enqueue(json200(ANSWER));
        assertThat(http.post("/api/ai/chat", key.get("key").asText(), CHAT).status()).isEqualTo(200);

        // when the owner caps it at what it already spent
        Http.Answer capped = put("/api/teams/" + team + "/api-keys/" + key.get("id").asText(), owner.token(),
                "{\"spend_cap_usd\":\"" + COST + "\"}");

        // then its next call is refused
        assertThat(capped.status()).as(capped.toString()).isEqualTo(200);
        assertThat(capped.body().get("spent_usd").asText()).isEqualTo(COST);
        Http.Answer next = http.post("/api/ai/chat", key.get("key").asText(), CHAT);
        assertThat(next.status()).as(next.toString()).isEqualTo(402);
        assertThat(next.errorCode()).isEqualTo("budget_exceeded");
    }

    @Test
    void outsidersCannotSeeOrManageATeamAndMembersCannotManageIt() {
        Person owner = person(null);
        Person member = person(null);
        Person outsider = person(null);
        String team = team(owner, "Private");
        addMember(team, owner, member);

        assertThat(http.get("/api/teams/" + team + "/balance", outsider.token()).status()).isEqualTo(403);
        assertThat(http.get("/api/teams/" + team + "/usage/stats", outsider.token()).status()).isEqualTo(403);
        assertThat(http.get("/api/teams/" + team + "/transactions", outsider.token()).status()).isEqualTo(403);
        assertThat(http.get("/api/teams/" + team, outsider.token()).status()).isEqualTo(403);
        assertThat(http.post("/api/teams/" + team + "/api-keys", outsider.token(), "{}").status()).isEqualTo(403);
        assertThat(http.post("/api/teams/" + team + "/members", member.token(),
                json("email", outsider.email())).status()).isEqualTo(403);
        assertThat(http.get("/api/teams/00000000-0000-0000-0000-000000000000/balance", owner.token()).status())
                .isEqualTo(404);
        assertThat(http.get("/api/teams/" + team + "/balance", admin).status()).isEqualTo(200);
        JsonNode listed = null;
        for (JsonNode row : http.get("/api/admin/teams", admin).body()) {
            if (row.get("id").asText().equals(team)) {
                listed = row;
            }
        }
        assertThat(listed).as("the admin's list of teams shows it").isNotNull();
        assertThat(listed.get("members").asInt()).isEqualTo(2);
        assertThat(listed.get("account_id").asText()).isEqualTo("team:" + team);
        assertThat(http.get("/api/admin/teams", owner.token()).status()).isEqualTo(403);
        assertThat(put("/api/teams/" + team + "/members/" + outsider.id(), owner.token(), "{\"role\":\"owner\"}")
                .status()).as("a change never adds a member").isEqualTo(404);
        assertThat(http.get("/api/teams/" + team, member.token()).body().get("members")).hasSize(2);
    }

    @Test
    void aTeamKeyOnlyMakesCallsAndReadsItsTeamsNumbers() {
        Person owner = person("1");
        String team = team(owner, "Narrow");
        String other = team(owner, "Other");
        fund(owner, team, "0.5");
        String key = teamKey(team, owner, null).get("key").asText();

        Http.Answer transfer = http.post("/api/credits/transfer", key, json("to", owner.email(), "amount_usd", "0.1"));
        Http.Answer newKey = http.post("/api/auth/api-keys", key, json("name", "escalate"));
        Http.Answer newTeam = http.post("/api/teams", key, json("name", "x"));
        Http.Answer budget = put("/api/credits/budget", key, "{\"daily_limit_usd\":\"1\"}");
        Http.Answer otherTeam = http.get("/api/teams/" + other + "/balance", key);

        for (Http.Answer refused : List.of(transfer, newKey, newTeam, budget, otherTeam)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
            assertThat(refused.errorCode()).isEqualTo("forbidden");
        }
        assertThat(balance(http, "/api/teams/" + team + "/balance", key)).isEqualTo("0.5");
        assertThat(balance(http, "/api/credits/balance", owner.token())).isEqualTo("0.5");
    }

    @Test
    void aRemovedMembersTeamKeyStopsWorkingAtOnce() {
        Person owner = person(null);
        Person member = person(null);
        String team = team(owner, "Churn");
        addMember(team, owner, member);
        String key = teamKey(team, member, null).get("key").asText();
        assertThat(http.get("/api/credits/balance", key).status()).isEqualTo(200);

        Http.Answer removed = http.delete("/api/teams/" + team + "/members/" + member.id(), owner.token());

        assertThat(removed.status()).as(removed.toString()).isEqualTo(204);
        assertThat(http.get("/api/credits/balance", key).status()).isEqualTo(401);
        assertThat(http.get("/api/teams/" + team + "/balance", member.token()).status()).isEqualTo(403);
        // and adding them back later does not bring the old key back: it was revoked, not suspended
        addMember(team, owner, member);
        assertThat(http.get("/api/credits/balance", key).status()).isEqualTo(401);
    }

    @Test
    void aTeamKeepsAnOwnerAndRolesChangeByAddingAgain() {
        Person owner = person(null);
        Person member = person(null);
        String team = team(owner, "Succession");
        addMember(team, owner, member);

        Http.Answer leaveAlone = http.delete("/api/teams/" + team + "/members/" + owner.id(), owner.token());
        Http.Answer promote = http.post("/api/teams/" + team + "/members", owner.token(),
                json("email", member.email(), "role", "owner"));
        Http.Answer again = http.post("/api/teams/" + team + "/members", owner.token(),
                json("email", member.email()));
        Http.Answer leave = http.delete("/api/teams/" + team + "/members/" + owner.id(), owner.token());

        assertThat(leaveAlone.status()).as(leaveAlone.toString()).isEqualTo(409);
        assertThat(leaveAlone.errorCode()).isEqualTo("last_owner");
        assertThat(promote.status()).as(promote.toString()).isEqualTo(200);
        assertThat(promote.body().get("role").asText()).isEqualTo("owner");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("role").asText()).as("added again without a role: kept").isEqualTo("owner");
        assertThat(leave.status()).as(leave.toString()).isEqualTo(204);
        assertThat(http.get("/api/teams/" + team, member.token()).body().get("members")).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"email\":\"nobody@example.com\"}", "{\"email\":\"%s\",\"role\":\"boss\"}",
            "{\"role\":\"member\"}", "{\"email\":42}"})
    void badMemberInputIsRefusedAndChangesNothing(String template) {
        Person owner = person(null);
        Person someone = person(null);
        String team = team(owner, "Strict");

        Http.Answer refused = http.post("/api/teams/" + team + "/members", owner.token(),
                template.formatted(someone.email()));

        assertThat(refused.status()).as(refused.toString()).isIn(400, 404);
        assertThat(refused.body().get("error").get("request_id").asText()).isNotBlank();
        assertThat(http.get("/api/teams/" + team, owner.token()).body().get("members")).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"-1\"", "\"abc\"", "1.5", "\"1e3\"", "\"0.0000000001\"", "\"99999999999999999999\""})
    void aBadCapIsA400AndCreatesNoKey(String cap) {
        Person owner = person(null);
        String team = team(owner, "Caps");

        Http.Answer refused = http.post("/api/teams/" + team + "/api-keys", owner.token(),
                "{\"name\":\"k\",\"spend_cap_usd\":" + cap + "}");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.raw()).doesNotContain("Exception").doesNotContain("dev.tollgate");
        assertThat(http.get("/api/teams/" + team + "/api-keys", owner.token()).body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "null", "\"x\"", "{\"name\":5}"})
    void aTeamKeyBodyThatIsNotAJsonObjectOrNamesTheKeyWithANumberIsA400AndCreatesNoKey(String body) {
        // given a team
        Person owner = person(null);
        String team = team(owner, "Strict keys");

        // when its owner asks for a key with that body
        Http.Answer refused = http.post("/api/teams/" + team + "/api-keys", owner.token(), body);

        // then it is a 400 invalid_request in the one error shape, and the team has no key
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("invalid_request");
        assertThat(refused.body().get("error").get("request_id").asText()).isNotBlank();
        assertThat(http.get("/api/teams/" + team + "/api-keys", owner.token()).body()).isEmpty();
    }

    @Test
    void aTeamKeyAskedForWithoutABodyOrWithAnEmptyObjectIsNamedDefault() {
        // given a team
        Person owner = person(null);
        String team = team(owner, "Default keys");

        // when its owner asks for keys without a body and with {}
        Http.Answer bare = http.post("/api/teams/" + team + "/api-keys", owner.token(), null);
        Http.Answer empty = http.post("/api/teams/" + team + "/api-keys", owner.token(), "{}");

        // then both are the owner's keys named "default"
        for (Http.Answer created : List.of(bare, empty)) {
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.body().get("name").asText()).isEqualTo("default");
            assertThat(created.body().get("user_id").asText()).isEqualTo(owner.id());
        }
    }

    @Test
    void anOwnersTeamBudgetStopsEveryMembersCallsAndAnAdminCanFundTheTeam() throws InterruptedException {
        // given a team an admin funded directly, with a daily hard stop below one call set by its owner
        Person owner = person(null);
        Person member = person(null);
        String team = team(owner, "Budgeted");
        addMember(team, owner, member);
        Http.Answer deposit = http.post("/api/admin/credits/deposit", admin,
                json("user_id", "team:" + team, "amount_usd", "1"));
        Http.Answer memberSets = put("/api/teams/" + team + "/budget", member.token(),
                "{\"daily_limit_usd\":\"100\"}");
        Http.Answer ownerSets = put("/api/teams/" + team + "/budget", owner.token(),
                "{\"daily_limit_usd\":\"0.00001\",\"hard_stop\":true}");
        String key = teamKey(team, member, null).get("key").asText();

        // when the member calls with the team key
        Http.Answer chat = http.post("/api/ai/chat", key, CHAT);

        // then the team's budget refused it before the provider; only the owner could set it; members read it
        assertThat(deposit.status()).as(deposit.toString()).isEqualTo(200);
        assertThat(deposit.body().get("balance_usd").asText()).isEqualTo("1");
        assertThat(memberSets.status()).as(memberSets.toString()).isEqualTo(403);
        assertThat(ownerSets.status()).as(ownerSets.toString()).isEqualTo(200);
        assertThat(ownerSets.body().get("account_id").asText()).isEqualTo("team:" + team);
        assertThat(chat.status()).as(chat.toString()).isEqualTo(402);
        assertThat(chat.errorCode()).isEqualTo("budget_exceeded");
        assertThat(chat.body().get("error").get("message").asText()).contains("daily budget");
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(http.get("/api/teams/" + team + "/budget", member.token()).body().get("daily_limit_usd").asText())
                .isEqualTo("0.00001");
    }

    @Test
    void theLedgerCheckCountsTeamsAndFindsAnUntrueLineInATeamsHistory() {
        // given a funded team that made a call
        Person owner = person("3");
        String team = team(owner, "Audited");
        fund(owner, team, "2");
        workersAi.enqueue(json200(ANSWER));
        assertThat(http.post("/api/ai/chat", teamKey(team, owner, null).get("key").asText(), CHAT).status())
                .isEqualTo(200);
        Http.Answer honest = http.get("/api/admin/ledger/check", admin);
        assertThat(honest.body().get("ok").asBoolean()).as(honest.toString()).isTrue();
        assertThat(new BigDecimal(honest.body().get("totals_usd").get("teams").asText()))
                .isGreaterThanOrEqualTo(new BigDecimal("1.99995301"));

        // when a line of the team's history is altered behind the ledger's back
        org.springframework.jdbc.core.JdbcTemplate jdbc = app.bean(org.springframework.jdbc.core.JdbcTemplate.class);
        jdbc.update("UPDATE ledger_entry SET amount_nanos = amount_nanos + 7 WHERE account_id = ?", "team:" + team);
        try {
            Http.Answer corrupted = http.get("/api/admin/ledger/check", admin);

            // then the check names the team's account
            assertThat(corrupted.body().get("ok").asBoolean()).isFalse();
            assertThat(corrupted.body().get("problems").toString()).contains("history of team:" + team);
        } finally {
            jdbc.update("UPDATE ledger_entry SET amount_nanos = amount_nanos - 7 WHERE account_id = ?", "team:" + team);
        }
    }

    @Test
    void anOwnerMovesTheTeamsMoneyOutOnceAndAMemberCannot() {
        // given a team holding 2 USD, an owner and a member
        Person owner = person("2");
        Person member = person(null);
        String team = team(owner, "Wind-down");
        addMember(team, owner, member);
        fund(owner, team, "2");

        // when the member tries to take money out, and the owner sends 0.5 to the member twice with one key
        Http.Answer byMember = http.post("/api/teams/" + team + "/transfer", member.token(),
                json("to", member.email(), "amount_usd", "1"));
        Http.Answer first = http.post("/api/teams/" + team + "/transfer", owner.token(),
                json("to", member.email(), "amount_usd", "0.5", "note", "expenses"), Map.of("Idempotency-Key", "out-1"));
        Http.Answer again = http.post("/api/teams/" + team + "/transfer", owner.token(),
                json("to", member.email(), "amount_usd", "0.5", "note", "expenses"), Map.of("Idempotency-Key", "out-1"));
        Http.Answer tooMuch = http.post("/api/teams/" + team + "/transfer", owner.token(),
                json("to", owner.email(), "amount_usd", "5"));

        // then the member was refused, the owner's transfer happened once, and overdrawing the team is refused
        assertThat(byMember.status()).as(byMember.toString()).isEqualTo(403);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.body().get("balance_usd").asText()).isEqualTo("1.5");
        assertThat(again.body().get("transfer_id").asText()).isEqualTo(first.body().get("transfer_id").asText());
        assertThat(tooMuch.status()).as(tooMuch.toString()).isEqualTo(402);
        assertThat(tooMuch.errorCode()).isEqualTo("insufficient_funds");
        assertThat(balance(http, "/api/teams/" + team + "/balance", owner.token())).isEqualTo("1.5");
        assertThat(balance(http, "/api/credits/balance", member.token())).isEqualTo("0.5");
        JsonNode out = http.get("/api/teams/" + team + "/transactions", owner.token()).body().get("items").get(0);
        assertThat(out.get("type").asText()).isEqualTo("transfer_out");
        assertThat(out.get("amount_usd").asText()).isEqualTo("-0.5");
    }

    @Test
    void moneyForAnUnknownTeamStaysWithTheSender() {
        Person sender = person("1");

        Http.Answer refused = fund(sender, "00000000-0000-0000-0000-000000000000", "0.5");
        Http.Answer noName = http.post("/api/teams", sender.token(), "{}");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(404);
        assertThat(refused.errorCode()).isEqualTo("recipient_not_found");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(balance(http, "/api/credits/balance", sender.token())).isEqualTo("1");
    }
}
