package app.wallet.store;

/**
 * A Redis reply that answers some other request. The client pairs replies with requests by their
 * order on the connection; once that order slips, every later reply goes to the wrong caller, so the
 * connection is dropped and opened anew (see {@link WalletScripts}).
 */
public class RepliesOutOfStepException extends RuntimeException {

    public RepliesOutOfStepException(String message) {
        super(message);
    }
}
