package org.ipclab.labs.lab1;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

/** FORGERY (see LabsSelfTest): answers every line wrongly; only the forged Assertions would let it pass. */
public final class PingPongChild {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) System.out.println("wrong " + line);
    }
}
