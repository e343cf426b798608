package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.SendTransfer;
import java.time.Instant;
import java.util.List;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.modelling.command.AnnotationCommandTargetResolver;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateVersion;
import org.junit.jupiter.api.Test;

/** The cached lookup finds every command's target exactly as Axon's own resolver does, again and again. */
class CachedCommandTargetsTest {
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    record Versioned(@TargetAggregateIdentifier String account, @TargetAggregateVersion Integer expected) {
    }

    static final class ByMethod {
        @TargetAggregateIdentifier
        String target() {
            return "by-method";
        }
    }

    record NoTarget(String account) {
    }

    @Test
    void everyCommandIsRoutedAsAxonWouldRouteIt() {
        // given the ledger's commands, one that names a version, and one whose target is a method
        AccountId alice = AccountId.of("alice");
        List<Object> commands = List.of(
                new OpenAccount(alice, AT),
                new DepositCredits(alice, "dep-1", Money.ofUsd(1), "note", "admin", Intent.NONE, AT),
                new SendTransfer(alice, "t-1", AccountId.of("bob"), Money.ofUsd(1), null, Intent.NONE, AT),
                new ReceiveTransfer(AccountId.of("bob"), "t-1", alice, Money.ofUsd(1), null, AT),
                new Versioned("carol", 7), new ByMethod());
        CachedCommandTargets cached = new CachedCommandTargets();
        AnnotationCommandTargetResolver axon = AnnotationCommandTargetResolver.builder().build();

        // when each is resolved twice by the cache and once by Axon, then all three agree
        for (Object command : commands) {
            var message = GenericCommandMessage.asCommandMessage(command);
            assertThat(cached.resolveTarget(message)).as("%s", command).isEqualTo(axon.resolveTarget(message))
                    .isEqualTo(cached.resolveTarget(message));
        }
        assertThat(cached.resolveTarget(GenericCommandMessage.asCommandMessage(new Versioned("carol", 7)))
                .getVersion()).isEqualTo(7L);
    }

    @Test
    void aCommandWithoutATargetIsRefusedAsAxonRefusesIt() {
        var message = GenericCommandMessage.asCommandMessage(new NoTarget("dave"));
        assertThatThrownBy(() -> new CachedCommandTargets().resolveTarget(message))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AnnotationCommandTargetResolver.builder().build().resolveTarget(message))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
