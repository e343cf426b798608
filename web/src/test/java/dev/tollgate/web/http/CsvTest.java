package dev.tollgate.web.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvTest {

    @ParameterizedTest
    @ValueSource(strings = {"=HYPERLINK(\"http://evil.example\")", "+1+1", "-1+cmd", "@SUM(A1)", "\tx", "\rx", "-",
            "=1"})
    void aTextCellThatASpreadsheetWouldRunGetsALeadingApostrophe(String text) {
        String cell = Csv.cell(text);

        assertThat(unquote(cell)).isEqualTo("'" + text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-2.5", "-0.000003666", "12.5", "0", "-7"})
    void anAmountStaysTheSameDecimalStringAsInJson(String amount) {
        assertThat(Csv.cell(amount)).isEqualTo(amount);
    }

    @Test
    void numbersAndEmptyCellsAreWrittenAsTheyAre() {
        assertThat(Csv.cell(-42L)).isEqualTo("-42");
        assertThat(Csv.cell(null)).isEmpty();
        assertThat(Csv.cell("")).isEmpty();
        assertThat(Csv.cell("lunch")).isEqualTo("lunch");
    }

    @Test
    void aFieldWithACommaQuoteOrLineBreakIsQuotedWithItsQuotesDoubled() {
        assertThat(Csv.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(Csv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(Csv.cell("=a,b")).isEqualTo("\"'=a,b\"");
    }

    @Test
    void aRecordEndsWithCrlf() {
        assertThat(Csv.row("id", 3, null, "-1.5")).isEqualTo("id,3,,-1.5\r\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "csv||true", "CSV||true", "json|text/csv|false",
            "|text/csv|true", "|text/csv; charset=utf-8|true", "|application/json, text/csv|false",
            "|text/csv, application/json|true", "|application/json;q=0.5, text/csv|true", "|*/*|false",
            "|text/html,application/xhtml+xml,*/*;q=0.8|false", "||false", "|not a media type;;|false"})
    void csvIsChosenByFormatOrByAnAcceptHeaderThatRanksItFirst(String format, String accept, boolean csv) {
        assertThat(Csv.wanted(format, accept)).isEqualTo(csv);
    }

    @Test
    void anUnknownFormatIsABadRequest() {
        assertThatThrownBy(() -> Csv.wanted("xml", null)).isInstanceOf(ApiException.class);
    }

    private static String unquote(String cell) {
        return cell.startsWith("\"") ? cell.substring(1, cell.length() - 1).replace("\"\"", "\"") : cell;
    }
}
