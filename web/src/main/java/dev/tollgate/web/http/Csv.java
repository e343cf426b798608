package dev.tollgate.web.http;

import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * CSV exports that both scripts and spreadsheets read safely (ADR 14): RFC 4180 (comma, CRLF, a field with a
 * comma, quote or line break is quoted and its quotes doubled), UTF-8, a header row, amounts as the same decimal
 * strings as in JSON. A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a
 * carriage return) gets a leading apostrophe; a plain decimal number such as an amount of "-2.5" is data, not a
 * formula, and is left as it is.
 */
public final class Csv {
    public static final MediaType TEXT_CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);
    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final String FORMULA_STARTS = "=+-@\t\r";

    private Csv() {
    }

    /**
     * Whether the caller asked for CSV: {@code ?format=csv}, or an Accept header that ranks text/csv first
     * (ties go to the type listed first).
     * Any other format than json or csv is a 400, so a typo is not silently answered with JSON.
     */
    public static boolean wanted(String format, String accept) {
        if (format != null) {
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "csv" -> true;
                case "json" -> false;
                default -> throw ApiException.badRequest("format must be json or csv");
            };
        }
        if (accept == null || accept.isBlank()) {
            return false;
        }
        try {
            // The first of the types with the highest quality wins; only text/csv itself picks CSV.
            MediaType best = null;
            for (MediaType type : MediaType.parseMediaTypes(accept)) {
                if (best == null || type.getQualityValue() > best.getQualityValue()) {
                    best = type;
                }
            }
            return best != null && best.getQualityValue() > 0 && "text".equalsIgnoreCase(best.getType())
                    && "csv".equalsIgnoreCase(best.getSubtype());
        } catch (InvalidMediaTypeException unreadable) {
            return false;
        }
    }

    /** One cell: quoted where RFC 4180 needs it, defused where a spreadsheet would run it. */
    public static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = String.valueOf(value);
        if (!(value instanceof Number) && !text.isEmpty() && FORMULA_STARTS.indexOf(text.charAt(0)) >= 0
                && !PLAIN_NUMBER.matcher(text).matches()) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            text = '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }

    /** One record, ended by CRLF as RFC 4180 asks. */
    public static String row(Object... fields) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(cell(fields[i]));
        }
        return line.append("\r\n").toString();
    }

    /** A small export answered at once. */
    public static ResponseEntity<String> answer(CharSequence csv, String filename) {
        return ResponseEntity.ok()
                .contentType(TEXT_CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION, disposition(filename))
                .body(csv.toString());
    }

    /** Starts a streamed export: sets the headers and hands out the body's writer; the caller flushes as it goes. */
    public static Writer stream(HttpServletResponse response, String filename) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(TEXT_CSV.toString());
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, disposition(filename));
        return new BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8), 16_384);
    }

    private static String disposition(String filename) {
        return ContentDisposition.attachment().filename(filename).build().toString();
    }
}
