package dev.tollgate.web.identity;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.web.config.TollgateProperties;
import dev.tollgate.web.ledger.Ledger;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Creates the first admin on first start: TOLLGATE_ADMIN_EMAIL (default admin@tollgate.local) with
 * TOLLGATE_ADMIN_PASSWORD, or with a generated password that is printed once on the console and stored only as a hash.
 */
@Component
public class AdminBootstrap implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    private static final String DEFAULT_EMAIL = "admin@tollgate.local";

    private final UserDirectory users;
    private final PasswordEncoder passwords;
    private final Ledger ledger;
    private final TollgateProperties properties;

    public AdminBootstrap(UserDirectory users, PasswordEncoder passwords, Ledger ledger,
                          TollgateProperties properties) {
        this.users = users;
        this.passwords = passwords;
        this.ledger = ledger;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        String given = properties.admin().email();
        String password = properties.admin().password();
        boolean emailGiven = given != null && !given.isBlank();
        boolean passwordGiven = password != null && !password.isBlank();
        // Either variable alone still means what it says: a password alone is the default admin's, an email alone
        // is the admin to create with a generated password. Neither creates one only on a ledger without admins.
        String email = emailGiven ? given : DEFAULT_EMAIL;
        if (emailGiven || passwordGiven) {
            if (users.byEmail(email).isPresent()) {
                return;
            }
        } else if (users.anyAdmin()) {
            return;
        }
        if (passwordGiven) {
            create(email, password);
            log.info("Created the admin {} with the password from TOLLGATE_ADMIN_PASSWORD.",
                    UserDirectory.normalizeEmail(email));
            return;
        }
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        if (!create(email, generated)) {
            return;
        }
        // Printed once, on purpose: this is the only way a fresh install can be entered. Only a hash is kept.
        System.out.println();
        System.out.println("  Tollgate admin created. Log in with:");
        System.out.println("    email:    " + UserDirectory.normalizeEmail(email));
        System.out.println("    password: " + generated);
        System.out.println("  (set TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD to choose your own)");
        System.out.println();
    }

    /** False when another node made this admin first (its password is the one that node printed). */
    private boolean create(String email, String password) {
        try {
            User admin = users.create(email, "admin", passwords.encode(password), Role.ADMIN);
            ledger.open(AccountId.of(admin.id()));
            return true;
        } catch (EmailAlreadyRegistered anotherNodeWasFirst) {
            log.info("The admin {} already exists.", email);
            return false;
        }
    }
}
