package dev.tollgate.web.limits;

import dev.tollgate.web.security.Caller;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * AI requests and tokens per minute, per user and per API key. A call made with an API key counts against the
 * key and against its user, so more keys never mean more throughput. Requests are counted when admitted; tokens
 * are known only once the call is settled, so a call is admitted while its callers are under their token limit
 * and its real tokens are counted afterwards: the next call past the limit is refused.
 */
@Component
public class AiRateLimits {
    /** What the headers say when nothing is limited: a number every client parses, and never a reason to wait. */
    static final long UNLIMITED = Integer.MAX_VALUE;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final RateLimitProperties limits;
    private final SlidingWindows requests;
    private final SlidingWindows tokens;
    /** The callers of each admitted call still running, by request id, so its settled tokens find its API key. */
    private final Map<String, List<Subject>> running = new ConcurrentHashMap<>();

    public AiRateLimits(RateLimitProperties limits, Clock clock) {
        this.limits = limits;
        this.requests = new SlidingWindows(clock, MINUTE, 60, limits.trackedKeys());
        this.tokens = new SlidingWindows(clock, MINUTE, 60, limits.trackedKeys());
    }

    private record Subject(String key, String name, long requestLimit, long tokenLimit) {
    }

    /** The answer to one call: admitted or not, how long to wait if not, and the X-RateLimit headers either way. */
    public record Admission(boolean admitted, long retryAfterSeconds, String reason, Map<String, String> headers) {
    }

    public Admission admit(Caller caller, String requestId) {
        List<Subject> subjects = subjects(caller);
        String refusedBy = null;
        long waitMillis = 0;
        for (Subject s : subjects) {
            if (s.tokenLimit > 0 && tokens.used(s.key) >= s.tokenLimit) {
                refusedBy = s.tokenLimit + " tokens per minute for this " + s.name;
                waitMillis = Math.max(waitMillis, tokens.millisUntilAtMost(s.key, s.tokenLimit - 1));
            }
        }
        if (refusedBy == null) {
            List<Subject> counted = new ArrayList<>();
            for (Subject s : subjects) {
                if (s.requestLimit == 0) {
                    continue;
                }
                if (!requests.tryAdd(s.key, 1, s.requestLimit)) {
                    refusedBy = s.requestLimit + " requests per minute for this " + s.name;
                    waitMillis = requests.millisUntilAtMost(s.key, s.requestLimit - 1);
                    counted.forEach(c -> requests.takeBack(c.key, 1));
                    break;
                }
                counted.add(s);
            }
        }
        if (refusedBy == null && (limits.tokensPerMinute() > 0 || limits.apiKeyTokensPerMinute() > 0)) {
            running.put(requestId, subjects);
        }
        return new Admission(refusedBy == null, refusedBy == null ? 0 : seconds(Math.max(waitMillis, 1)), refusedBy,
                headers(subjects));
    }

    /** Whether any AI limit is set at all; with none, nothing is ever refused and no request needs a second look. */
    public boolean limitsAnything() {
        return limits.requestsPerMinute() > 0 || limits.tokensPerMinute() > 0 || limits.apiKeyRequestsPerMinute() > 0
                || limits.apiKeyTokensPerMinute() > 0;
    }

    /**
     * The headers for a call that is not counted, because it will not reach a model (a retry answered from its
     * Idempotency-Key's first call): the caller's windows as they stand.
     */
    public Map<String, String> reading(Caller caller) {
        return headers(subjects(caller));
    }

    /** The call is over (answered, refused or failed): its tokens, if any, have been counted by now. */
    public void finished(String requestId) {
        running.remove(requestId);
    }

    /** The real tokens of a settled call, counted against whoever made it. */
    public void settled(String accountId, String requestId, long tokenCount) {
        if (limits.tokensPerMinute() == 0 && limits.apiKeyTokensPerMinute() == 0) {
            return;
        }
        List<Subject> subjects = running.get(requestId);
        if (subjects == null) {
            // Settled away from its request (e.g. on another thread after the answer): the account is its user.
            subjects = List.of(user(accountId));
        }
        for (Subject s : subjects) {
            if (s.tokenLimit > 0) {
                tokens.add(s.key, tokenCount);
            }
        }
    }

    private List<Subject> subjects(Caller caller) {
        Subject user = user(caller.userId());
        if (!caller.viaApiKey()) {
            return List.of(user);
        }
        return List.of(new Subject("key:" + caller.apiKeyId(), "API key", limits.apiKeyRequestsPerMinute(),
                limits.apiKeyTokensPerMinute()), user);
    }

    private Subject user(String userId) {
        return new Subject("user:" + userId, "user", limits.requestsPerMinute(), limits.tokensPerMinute());
    }

    private record Reading(long limit, long remaining, long resetSeconds) {
    }

    /** The tightest of the caller's windows: the one with the fewest left. */
    private static Reading tightest(List<Subject> subjects, SlidingWindows windows, boolean forTokens) {
        Reading tightest = null;
        for (Subject s : subjects) {
            long limit = forTokens ? s.tokenLimit : s.requestLimit;
            if (limit == 0) {
                continue;
            }
            Reading r = new Reading(limit, Math.max(0, limit - windows.used(s.key)),
                    seconds(windows.millisUntilEmpty(s.key)));
            if (tightest == null || r.remaining < tightest.remaining
                    || (r.remaining == tightest.remaining && r.resetSeconds > tightest.resetSeconds)) {
                tightest = r;
            }
        }
        return tightest;
    }

    private Map<String, String> headers(List<Subject> subjects) {
        Reading byRequests = tightest(subjects, requests, false);
        Reading byTokens = tightest(subjects, tokens, true);
        Reading main = byRequests != null ? byRequests : byTokens;
        if (main == null) {
            main = new Reading(UNLIMITED, UNLIMITED, 0);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-RateLimit-Limit", String.valueOf(main.limit));
        headers.put("X-RateLimit-Remaining", String.valueOf(main.remaining));
        headers.put("X-RateLimit-Reset", String.valueOf(main.resetSeconds));
        if (byTokens != null) {
            headers.put("X-RateLimit-Limit-Tokens", String.valueOf(byTokens.limit));
            headers.put("X-RateLimit-Remaining-Tokens", String.valueOf(byTokens.remaining));
            headers.put("X-RateLimit-Reset-Tokens", String.valueOf(byTokens.resetSeconds));
        }
        return headers;
    }

    private static long seconds(long millis) {
        return (millis + 999) / 1000;
    }
}
