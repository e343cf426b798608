package dev.tollgate.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication(scanBasePackages = "dev.tollgate")
public class TollgateApplication {

    public static void main(String[] args) throws IOException {
        // The embedded database and the generated JWT key live in the data folder; make it before anything opens it.
        String dataDir = System.getenv().getOrDefault("TOLLGATE_DATA_DIR", "./data");
        Files.createDirectories(Path.of(dataDir));
        SpringApplication.run(TollgateApplication.class, args);
    }
}
