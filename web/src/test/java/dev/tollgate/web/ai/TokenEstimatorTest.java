package dev.tollgate.web.ai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.Sampling;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Local token estimates: cl100k, raised for the model whose tokenizer is known to split finer. */
class TokenEstimatorTest {
    private static final String TEXT = "Why is pizza so good? Because of the cheese, the crust and the oven.";
    private final TokenEstimator tokens = new TokenEstimator();

    @Test
    void llamaIsCountedAsCl100kCountsIt() {
        assertThat(tokens.count("@cf/meta/llama-3.1-8b-instruct", TEXT)).isEqualTo(tokens.count(TEXT));
    }

    @Test
    void mistral7bIsCountedAQuarterHigherRoundedUpSoItsHoldsAndEstimatesAreNotShort() {
        // given cl100k's count of a text and of a prompt
        long text = tokens.count(TEXT);
        long prompt = tokens.countPrompt(List.of(new ChatMessage("user", TEXT)));

        // when Mistral 7B's are asked for
        long mistralText = tokens.count("@cf/mistral/mistral-7b-instruct-v0.1", TEXT);
        long mistralPrompt = tokens.countPrompt("@cf/mistral/mistral-7b-instruct-v0.1",
                List.of(new ChatMessage("user", TEXT)));

        // then each is a quarter more, rounded up
        assertThat(mistralText * 4).isGreaterThanOrEqualTo(text * 5).isLessThan(text * 5 + 4);
        assertThat(mistralPrompt * 4).isGreaterThanOrEqualTo(prompt * 5).isLessThan(prompt * 5 + 4);
        assertThat(tokens.count("@cf/mistral/mistral-7b-instruct-v0.1", "")).isZero();
    }

    @Test
    void aChatsInputCountsItsToolDefinitionsAndTheToolLoopsCallsSinceTheModelReadsThemAll() {
        // given a question, and the same question with a tool offered and a tool loop's call and result
        String tools = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
        String calls = "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]";
        ChatMessage question = new ChatMessage("user", TEXT);
        ChatRequest plain = new ChatRequest("@cf/meta/llama-3.1-8b-instruct", List.of(question), 16, null);
        ChatRequest loop = new ChatRequest("@cf/meta/llama-3.1-8b-instruct", List.of(question,
                new ChatMessage("assistant", null, calls, null), new ChatMessage("tool", "21", null, "call_1")),
                16, null, Sampling.NONE, tools);

        // when their input is estimated
        long plainInput = tokens.countInput(plain);
        long loopInput = tokens.countInput(loop);

        // then the tools, the call's JSON and the result's id and text are each counted beside the question
        assertThat(plainInput).isEqualTo(tokens.countPrompt(List.of(question)));
        assertThat(loopInput).isEqualTo(plainInput + tokens.count(tools) + 2 * TokenEstimator.PER_MESSAGE
                + tokens.count(calls) + tokens.count("call_1") + tokens.count("21"));
    }

    @Test
    void aLongRunWithoutSpacesIsCountedInPiecesSoItCannotExhaustTheHeap() {
        // given a message of two million letters with no space, as a careless or hostile client may send
        String piece = "a".repeat(TokenEstimator.LONGEST_PIECE);
        String run = piece.repeat(16_000);

        // when it is counted
        long counted = tokens.count(run);

        // then it is counted as its pieces are (before, byte-pair merging the whole run took minutes and ran the
        // heap out), and each piece has at least one token
        assertThat(counted).isEqualTo(16_000 * tokens.count(piece)).isGreaterThanOrEqualTo(16_000);
    }

    @Test
    void ordinaryTextAndRunsJustBelowTheLimitAreCountedInOnePieceAsBefore() {
        // given text of words, and a word one letter short of the longest piece
        String words = (TEXT + " ").repeat(5_000);
        String longWord = "b".repeat(TokenEstimator.LONGEST_PIECE - 1);

        // when counted, then the counts are cl100k's own for the whole text
        var cl100k = com.knuddels.jtokkit.Encodings.newLazyEncodingRegistry()
                .getEncoding(com.knuddels.jtokkit.api.EncodingType.CL100K_BASE);
        assertThat(tokens.count(words)).isEqualTo(cl100k.countTokens(words));
        assertThat(tokens.count(TEXT + longWord + " " + TEXT)).isEqualTo(cl100k.countTokens(TEXT + longWord + " " + TEXT));
    }

    @Test
    void aRunIsNeverCutBetweenTheTwoHalvesOfOneCharacter() {
        // given a long run of a character outside the basic plane (two UTF-16 units each), so that a piece of
        // LONGEST_PIECE units holds exactly half as many characters
        String pizza = "\uD83C\uDF55";
        String piece = pizza.repeat(TokenEstimator.LONGEST_PIECE / 2);

        // when four pieces' worth is counted, then it is counted as four whole pieces: no half of a character was
        // cut off and counted on its own
        assertThat(tokens.count(piece.repeat(4))).isEqualTo(4 * tokens.count(piece));
    }
}
