"""The local front ends: text now; the offline voice loop (Vosk + pyttsx3) to come."""
