package dev.tollgate.web.config;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads the one shape of time that Tollgate and Axon write into the event store, {@code 2026-11-23T08:46:48.691Z}
 * (UTC, seconds, an optional fraction of one to nine digits), without {@code DateTimeFormatter}: its general parser
 * took a fifth of a replay's CPU, called three times for every event and read model (ADR 22). Anything else is not
 * this method's business: it answers {@code null} and the caller falls back to the general parser.
 */
public final class InstantText {
    private static final int SECONDS_PER_DAY = 86_400;
    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years that four digits write. */
    private static final long FIRST_SECOND = -62_167_219_200L;
    private static final long LAST_SECOND = 253_402_300_799L;

    private InstantText() {
    }

    /** The instant written as {@code text}, or {@code null} when the text is not in the canonical UTC shape. */
    public static Instant parseCanonical(CharSequence text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return null;
        }
        int nanos = 0;
        if (length > 20) {
            // ".d" up to ".ddddddddd" between the seconds and the Z.
            int fractionDigits = length - 21;
            if (text.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return null;
            }
            int fraction = digits(text, 20, length - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException noSuchDay) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
    }

    /**
     * {@code instant} as Axon's {@code DateTimeUtils.formatInstant} writes it into the event store (UTC, to the
     * millisecond, always three digits of it, then Z), without
     * {@code DateTimeFormatter}, whose general printer was a few per cent of a command's CPU. Answers {@code null}
     * for years outside 0000–9999, which the caller writes the general way.
     */
    public static String formatCanonical(Instant instant) {
        long second = instant.getEpochSecond();
        if (second < FIRST_SECOND || second > LAST_SECOND) {
            return null;
        }
        long epochDay = Math.floorDiv(second, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(second, (long) SECONDS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        StringBuilder text = new StringBuilder(30);
        pad(text, date.getYear(), 4).append('-');
        pad(text, date.getMonthValue(), 2).append('-');
        pad(text, date.getDayOfMonth(), 2).append('T');
        pad(text, secondOfDay / 3600, 2).append(':');
        pad(text, secondOfDay / 60 % 60, 2).append(':');
        pad(text, secondOfDay % 60, 2).append('.');
        return pad(text, instant.getNano() / 1_000_000, 3).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder text, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(digits);
    }

    /** The decimal number in {@code text[from, to)}, or -1 when a character there is not an ASCII digit. */
    private static int digits(CharSequence text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
