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
 * Creates the first admin on first start: from TOLLGATE_ADMIN_EMAIL / TOLLGATE_ADMIN_PASSWORD when given,
 * otherwise with a generated password that is printed once on the console and stored only as a hash.
 */
@Component
public class AdminBootstrap implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    private static final String GENERATED_EMAIL = "admin@tollgate.local";

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
        String email = properties.admin().email();
        String password = properties.admin().password();
        boolean configured = email != null && !email.isBlank() && password != null && !password.isBlank();
        if (configured) {
            if (users.byEmail(email).isEmpty()) {
                create(email, password);
                log.info("Created the admin {} from TOLLGATE_ADMIN_EMAIL.", UserDirectory.normalizeEmail(email));
            }
            return;
        }
        if (users.anyAdmin()) {
            return;
        }
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        create(GENERATED_EMAIL, generated);
        // Printed once, on purpose: this is the only way a fresh install can be entered. Only a hash is kept.
        System.out.println();
        System.out.println("  Tollgate admin created. Log in with:");
        System.out.println("    email:    " + GENERATED_EMAIL);
        System.out.println("    password: " + generated);
        System.out.println("  (set TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD to choose your own)");
        System.out.println();
    }

    private void create(String email, String password) {
        try {
            User admin = users.create(email, "admin", passwords.encode(password), Role.ADMIN);
            ledger.open(AccountId.of(admin.id()));
        } catch (EmailAlreadyRegistered anotherNodeWasFirst) {
            log.info("The admin {} already exists.", email);
        }
    }
}
