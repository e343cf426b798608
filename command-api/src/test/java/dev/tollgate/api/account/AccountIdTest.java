package dev.tollgate.api.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

/** An account id's shape is checked by hand; it must accept exactly what the documented pattern accepts. */
class AccountIdTest {
    private static final Pattern DOCUMENTED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}");

    @Property(tries = 3000)
    void acceptsExactlyTheDocumentedShape(
            @ForAll @StringLength(min = 0, max = 70) @CharRange(from = 'a', to = 'e') @CharRange(from = 'X', to = 'Z')
            @CharRange(from = '0', to = '2') @Chars({'_', ':', '.', '-', ' ', '/', 'é', '\n', '@'}) String value) {
        if (DOCUMENTED.matcher(value).matches()) {
            assertThat(new AccountId(value).value()).isEqualTo(value);
        } else {
            assertThatThrownBy(() -> new AccountId(value)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 200)
    void lengthIsBoundedAtSixtyFour(@ForAll @StringLength(min = 1, max = 100) @CharRange(from = 'a', to = 'z') String value) {
        assertThat(DOCUMENTED.matcher(value).matches()).isEqualTo(value.length() <= 64);
        if (value.length() <= 64) {
            assertThat(new AccountId(value).value()).isEqualTo(value);
        } else {
            assertThatThrownBy(() -> new AccountId(value)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
