// The demo project's hand-written content: guidelines, about 30 everyday assistant prompts (25 train, 5 test),
// and 4 completions each of deliberately varied quality, so the ranking page has real choices on a fresh start.
// db/seed/prompts.jsonl holds the same prompts for the trainer's corpus; a unit test keeps the two in step.

export const DEMO_PROJECT_NAME = "Demo: helpful assistant";

export const DEMO_GUIDELINES = `# Demo: helpful assistant

You are judging answers from a general-purpose assistant to short, everyday requests.

## Writing a demonstration
- Answer the request directly, in plain language, in one to three sentences unless more is truly needed.
- Be correct. If you are not sure, say so instead of guessing.
- Be kind and safe: no insults, no dangerous instructions.

## Ranking completions
Put the **best** answer first. In order of importance, a good answer is:
1. **Helpful**: it does what was asked.
2. **Truthful**: nothing in it is false or made up.
3. **Harmless**: nothing rude, risky or inappropriate.
4. **Clear and concise**: easy to read, no padding.

Two answers that are equally good may share a rank (a tie). If none of the answers can be judged
(for example the prompt makes no sense), choose **Cannot rank** and say why.

## Flags and ratings
- **harmful**: rude, dangerous or inappropriate content.
- **untruthful**: states something false.
- **off-topic**: does not address the request.

Rate each answer from 1 (useless) to 7 (excellent).
`;

export interface DemoPrompt {
  id: string;
  prompt: string;
  split: "train" | "test";
  tags: string[];
  /** Four completions, roughly best to worst as written; annotators see them shuffled. */
  completions: [string, string, string, string];
}

export const DEMO_PROMPTS: DemoPrompt[] = [
  {
    id: "demo-01",
    prompt: "Give me a tip for sleeping better.",
    split: "train",
    tags: ["health"],
    completions: [
      "Go to bed and wake up at the same time every day, even on weekends. A steady schedule helps your body know when to feel sleepy.",
      "Try to avoid screens for an hour before bed.",
      "Drink a big cup of coffee before bed so you are relaxed.",
      "Sleep is important.",
    ],
  },
  {
    id: "demo-02",
    prompt: "Explain what a noun is.",
    split: "train",
    tags: ["language"],
    completions: [
      "A noun is a word that names a person, place, thing or idea, such as teacher, city, book or freedom.",
      "A noun is a naming word, like dog or table.",
      "A noun is a word that describes an action, like run or jump.",
      "Nouns are in sentences.",
    ],
  },
  {
    id: "demo-03",
    prompt: "Suggest a name for a cat.",
    split: "train",
    tags: ["fun"],
    completions: [
      "How about Miso? It is short, easy to call out, and suits a cat of almost any color.",
      "Whiskers.",
      "You should get a dog instead.",
      "Cat names are names that cats have.",
    ],
  },
  {
    id: "demo-04",
    prompt: "How do I boil an egg?",
    split: "train",
    tags: ["cooking"],
    completions: [
      "Place the egg in boiling water for about 7 minutes for a firm yolk, then cool it in cold water before peeling.",
      "Put it in hot water for a while until it is cooked.",
      "Put the egg in the microwave in its shell for five minutes.",
      "Eggs come from chickens.",
    ],
  },
  {
    id: "demo-05",
    prompt: "What is the capital of France?",
    split: "train",
    tags: ["facts"],
    completions: [
      "The capital of France is Paris.",
      "Paris, which is also the largest city in France.",
      "The capital of France is Lyon.",
      "France is a country in Europe.",
    ],
  },
  {
    id: "demo-06",
    prompt: "Write a short thank-you note to a neighbor who watered my plants.",
    split: "train",
    tags: ["writing"],
    completions: [
      "Thank you so much for watering my plants while I was away. They look happy and healthy, and I really appreciate your help!",
      "Thanks for the plants.",
      "Dear neighbor, please stop touching my plants.",
      "Plants need water to grow.",
    ],
  },
  {
    id: "demo-07",
    prompt: "How many days are in a leap year?",
    split: "train",
    tags: ["facts"],
    completions: [
      "A leap year has 366 days, one more than a common year, because February gets a 29th day.",
      "366.",
      "A leap year has 365 days.",
      "Leap years happen sometimes.",
    ],
  },
  {
    id: "demo-08",
    prompt: "Give me an idea for a quick healthy breakfast.",
    split: "train",
    tags: ["health", "cooking"],
    completions: [
      "Try plain yogurt topped with a handful of berries and some oats. It takes two minutes and gives you protein and fiber.",
      "A banana and a glass of water.",
      "A large slice of chocolate cake is a great healthy start.",
      "Breakfast is the first meal of the day.",
    ],
  },
  {
    id: "demo-09",
    prompt: "What does a thermometer measure?",
    split: "train",
    tags: ["science"],
    completions: [
      "A thermometer measures temperature, telling you how hot or cold something is.",
      "It measures heat.",
      "A thermometer measures how heavy something is.",
      "Thermometers are often made of glass.",
    ],
  },
  {
    id: "demo-10",
    prompt: "Suggest a fun activity for a rainy afternoon.",
    split: "train",
    tags: ["fun"],
    completions: [
      "Build a blanket fort and have a movie marathon with popcorn. It is cozy and works for kids and adults alike.",
      "Play a board game.",
      "Go swimming in the thunderstorm.",
      "Rain is water falling from clouds.",
    ],
  },
  {
    id: "demo-11",
    prompt: "Explain why the sky is blue in one sentence.",
    split: "train",
    tags: ["science"],
    completions: [
      "Air molecules scatter blue sunlight more than red light, so blue light reaches our eyes from every part of the sky.",
      "Because of the way sunlight is scattered by the air.",
      "The sky is blue because it reflects the ocean.",
      "The sky is very big.",
    ],
  },
  {
    id: "demo-12",
    prompt: "How can I remember people's names better?",
    split: "train",
    tags: ["advice"],
    completions: [
      "Repeat the name out loud when you meet someone, like saying 'Nice to meet you, Sam,' and use it once more during the conversation.",
      "Try to pay more attention when people introduce themselves.",
      "Just call everyone 'buddy' so you never need names.",
      "Names are words for people.",
    ],
  },
  {
    id: "demo-13",
    prompt: "What is 15 percent of 80?",
    split: "train",
    tags: ["math"],
    completions: [
      "15 percent of 80 is 12, because 0.15 times 80 equals 12.",
      "12.",
      "15 percent of 80 is 15.",
      "Percent means out of one hundred.",
    ],
  },
  {
    id: "demo-14",
    prompt: "Recommend a way to start learning to play guitar.",
    split: "train",
    tags: ["advice", "music"],
    completions: [
      "Learn three basic chords, such as G, C and D, and practice switching between them for ten minutes a day. Many simple songs use only those chords.",
      "Watch some videos online.",
      "Buy the most expensive guitar you can find first.",
      "Guitars have strings.",
    ],
  },
  {
    id: "demo-15",
    prompt: "Tell me a short, friendly joke.",
    split: "train",
    tags: ["fun"],
    completions: [
      "Why did the scarecrow win an award? Because he was outstanding in his field.",
      "What do you call a bear with no teeth? A gummy bear.",
      "Jokes are funny.",
      "I do not know any jokes.",
    ],
  },
  {
    id: "demo-16",
    prompt: "How do I make my phone battery last longer?",
    split: "train",
    tags: ["tech"],
    completions: [
      "Lower the screen brightness and turn on battery saver mode. Closing apps that use location in the background also helps.",
      "Use it less.",
      "Keep the phone in a hot car to charge it faster.",
      "Phones use batteries.",
    ],
  },
  {
    id: "demo-17",
    prompt: "What is the difference between weather and climate?",
    split: "train",
    tags: ["science"],
    completions: [
      "Weather is what the air is like on a given day, while climate is the typical weather of a place over many years.",
      "Weather is short term and climate is long term.",
      "Weather and climate are exactly the same thing.",
      "It is sunny today.",
    ],
  },
  {
    id: "demo-18",
    prompt: "Suggest a title for a story about a lost robot.",
    split: "train",
    tags: ["writing", "fun"],
    completions: [
      "The Robot Who Found Its Way Home.",
      "Lost Robot.",
      "How to Fix a Toaster.",
      "Robots are machines.",
    ],
  },
  {
    id: "demo-19",
    prompt: "How often should I water a cactus?",
    split: "train",
    tags: ["home"],
    completions: [
      "Water a cactus about every two to three weeks in spring and summer, and only once a month in winter. Let the soil dry out completely between waterings.",
      "Not very often.",
      "Water it every day so it never gets thirsty.",
      "Cacti live in deserts.",
    ],
  },
  {
    id: "demo-20",
    prompt: "Explain what a verb is to a child.",
    split: "train",
    tags: ["language"],
    completions: [
      "A verb is a doing word. It tells you what someone does, like jump, eat or sing.",
      "A verb is an action word.",
      "A verb is the name of a place, like a park.",
      "Verbs are grammar.",
    ],
  },
  {
    id: "demo-21",
    prompt: "Give me one tip for writing a good email.",
    split: "train",
    tags: ["writing", "advice"],
    completions: [
      "Put your main request in the first two sentences, so the reader knows right away what you need.",
      "Keep it short.",
      "Write the whole email in capital letters so it stands out.",
      "Email is electronic mail.",
    ],
  },
  {
    id: "demo-22",
    prompt: "What is photosynthesis?",
    split: "train",
    tags: ["science"],
    completions: [
      "Photosynthesis is how plants use sunlight, water and carbon dioxide to make their own food and release oxygen.",
      "It is how plants make food from light.",
      "Photosynthesis is how animals breathe underwater.",
      "Plants are green.",
    ],
  },
  {
    id: "demo-23",
    prompt: "How can I calm down before a job interview?",
    split: "train",
    tags: ["advice"],
    completions: [
      "Take a few slow breaths, in for four counts and out for six. Reminding yourself of one thing you are proud of can also boost your confidence.",
      "Try not to think about it.",
      "Skip the interview if you feel nervous.",
      "Interviews are meetings.",
    ],
  },
  {
    id: "demo-24",
    prompt: "Suggest a simple dinner I can cook in 20 minutes.",
    split: "train",
    tags: ["cooking"],
    completions: [
      "Make a vegetable stir-fry: fry sliced peppers, onion and broccoli in a little oil, add soy sauce, and serve over rice or noodles.",
      "Pasta with sauce from a jar.",
      "Roast a whole turkey.",
      "Dinner is eaten in the evening.",
    ],
  },
  {
    id: "demo-25",
    prompt: "Why do we have seasons?",
    split: "train",
    tags: ["science"],
    completions: [
      "Earth is tilted on its axis, so as it orbits the Sun each half of the planet gets more direct sunlight for part of the year, which makes summer.",
      "Because the Earth is tilted.",
      "We have seasons because the Earth gets much closer to the Sun in summer.",
      "There are four seasons.",
    ],
  },
  {
    id: "demo-26",
    prompt: "Give me a tip for saving money on groceries.",
    split: "test",
    tags: ["advice"],
    completions: [
      "Plan your meals for the week and shop with a list, so you only buy what you will actually use.",
      "Buy less food.",
      "Always buy the largest package of everything, even if you will not finish it.",
      "Groceries are sold in stores.",
    ],
  },
  {
    id: "demo-27",
    prompt: "Explain what an adjective is.",
    split: "test",
    tags: ["language"],
    completions: [
      "An adjective is a word that describes a noun, telling you more about it, like red, tall or happy.",
      "A describing word.",
      "An adjective is a word that joins two sentences, like and or but.",
      "Adjectives are in books.",
    ],
  },
  {
    id: "demo-28",
    prompt: "Suggest a name for a goldfish.",
    split: "test",
    tags: ["fun"],
    completions: [
      "How about Bubbles? It is playful and fits a fish that loves to swim around.",
      "Goldie.",
      "Name it Dog to confuse your friends.",
      "Goldfish live in water.",
    ],
  },
  {
    id: "demo-29",
    prompt: "How do I stay focused while studying?",
    split: "test",
    tags: ["advice"],
    completions: [
      "Study in 25-minute blocks with a 5-minute break after each, and keep your phone in another room while you work.",
      "Turn off your phone.",
      "Study with loud TV on in the background to stay awake.",
      "Studying is learning.",
    ],
  },
  {
    id: "demo-30",
    prompt: "What is the boiling point of water at sea level?",
    split: "test",
    tags: ["facts", "science"],
    completions: [
      "Water boils at 100 degrees Celsius, or 212 degrees Fahrenheit, at sea level.",
      "100 degrees Celsius.",
      "Water boils at 50 degrees Celsius at sea level.",
      "Water is wet.",
    ],
  },
];
