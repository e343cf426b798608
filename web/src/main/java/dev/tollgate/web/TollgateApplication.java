package dev.tollgate.web;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication(scanBasePackages = "dev.tollgate")
public class TollgateApplication {

    public static void main(String[] args) throws IOException {
        // The embedded database and the generated JWT key live in the data folder; make it before anything opens it.
        Path data = Path.of(System.getenv().getOrDefault("TOLLGATE_DATA_DIR", "./data"));
        try {
            dataFolder(data);
        } catch (IOException | SecurityException e) {
            // one line an operator can act on, not a launcher's stack trace
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name is in the way"
                    : e instanceof java.nio.file.NotDirectoryException ? "part of the path is a file" : e.getMessage();
            System.err.println("Tollgate cannot make its data folder " + data.toAbsolutePath() + ": " + why
                    + ". Set TOLLGATE_DATA_DIR to a folder this user may write.");
            System.exit(1);
        }
        SpringApplication.run(TollgateApplication.class, args);
    }

    /**
     * Makes the data folder when it is missing, readable by this user alone: the embedded database holds password
     * and API-key hashes, and files made in it take the process's umask (often world-readable). A folder that
     * already exists is the operator's, and is left as it is.
     */
    static void dataFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return;
        }
        Files.createDirectories(folder);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
