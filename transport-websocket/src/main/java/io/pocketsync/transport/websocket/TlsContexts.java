package io.pocketsync.transport.websocket;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds TLS contexts from key and trust stores. Failures name the file, never the password. */
final class TlsContexts {
    private TlsContexts() {}

    static SSLContext server(String path, String password, String type) {
        try {
            KeyStore store = load(path, password, type);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }
        catch (GeneralSecurityException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot use key store " + path + ": " + e.getMessage(), e);
        }
    }

    static SSLContext client(String path, String password, String type) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(path, password, type));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }
        catch (GeneralSecurityException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot use trust store " + path + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String path, String password, String type) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            return store;
        }
        catch (java.io.IOException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read store " + path + ": " + e.getMessage(), e);
        }
    }
}
