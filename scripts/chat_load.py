#!/usr/bin/env python3
"""Writes a mixed JSON-lines chat load for `spotter chat --jsonl`: questions, check-ins
(several messages each), set logs, stats and profile statements over many users.

    python3 scripts/chat_load.py --messages 100000 --users 10000 > /tmp/load.jsonl
"""
import argparse
import json
import random

QUESTIONS = [
    "should I go to failure on squats?", "curls to failure?", "how many reps in reserve on bench?",
    "how long should I rest between sets of leg press?", "how long before I train legs again",
    "is failure ok on lat pulldowns", "failure on pull ups for endurance?", "do I need a deload?",
    "what RPE for deadlifts?", "I have a spotter, failure on bench?", "my knee hurts, failure on lunges?",
    "what's a good squat shoe?", "help", "why",
]
LOGS = [
    "bench 100kg x 8 @ RIR 1", "squat 140 5x5 rpe 8", "curls 20 lb 12 reps to failure", "3x10 lat pulldown 60kg",
    "deadlift 180kg x 3 @ rpe 9", "leg press 200kg x 12 to failure", "ohp 50kg x 6 @ rir 2",
]
CHECKIN = [
    ["check in", "slept 7h, soreness 2, energy 4, stress 2, motivation 4, no pain"],
    ["check in", "barely slept", "legs wrecked", "3", "stressed out", "4", "no"],
    ["daily check-in", "slept 8 hours", "2", "4", "2", "5", "no pain"],
]
OTHER = ["my week", "I'm a beginner", "my goal is strength now", "skip", "stats", "my profile"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    queues = {}  # user -> remaining check-in messages
    written = 0
    out = []
    while written < args.messages:
        user = f"user{rng.randrange(args.users):05d}"
        room = "gym" if rng.random() < 0.3 else "direct"
        if queues.get(user):
            text = queues[user].pop(0)
        else:
            roll = rng.random()
            if roll < 0.40:
                text = rng.choice(QUESTIONS)
            elif roll < 0.70:
                text = rng.choice(LOGS)
            elif roll < 0.90:
                script = list(rng.choice(CHECKIN))
                text = script.pop(0)
                queues[user] = script
            else:
                text = rng.choice(OTHER)
        out.append(json.dumps({"user": user, "room": room if not queues.get(user) else "direct", "text": text}))
        written += 1
    print("\n".join(out))


if __name__ == "__main__":
    main()
