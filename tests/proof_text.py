"""A long ordinary English text for the proof-listening precision test, written for it.

Its only words outside everyday English are names (Adaeze, Okonkwo, Thibodeaux, the last
listed by CMUdict), a coinage (glimmerwork) and an acronym (RNLI).
"""

NAMES = {"Adaeze", "Okonkwo", "Thibodeaux", "glimmerwork", "RNLI"}

ORDINARY = """
The harbour town woke slowly on the first cold morning of autumn. Fishermen walked down to the
boats with their hands in their pockets, talking about the weather, the price of diesel and the
football results from the night before. A baker opened her shop at six, and the smell of fresh
bread drifted along the narrow street towards the church, where an old man was already sweeping
the steps.

Adaeze Okonkwo had come to the town three years earlier to teach at the primary school. She lived
in a small stone cottage above the bay, with a garden full of herbs and a kitchen window that looked
out over the water. Every morning she drank her coffee standing at that window, watching the light
change on the sea. Some days it was grey and heavy; other days it glittered so brightly that she had
to close her eyes.

Her neighbour, a retired engineer called Marcel Thibodeaux, grew tomatoes and argued with the
seagulls. He had spent most of his working life building bridges in distant countries, and now he
wanted nothing more than a quiet garden and a good book. He was kind, a little stubborn, and he
always knew when a storm was coming, long before the forecast said so. He claimed that his knees
could feel the pressure falling.

On the morning when this story begins, the two of them met at the gate. The wind had turned during
the night and the sky over the headland looked bruised. Marcel said that the lifeboat crew had been
called out twice in the small hours, once to a yacht that had lost its engine and once to a walker
who had slipped on the cliff path. Both had been brought home safely. The volunteers of the RNLI
station were tired but cheerful, and someone had taken them a tray of sandwiches.

At school the children were restless. They could hear the waves breaking against the harbour wall,
and every few minutes someone asked whether the ferry would still run. Adaeze gave up on the
spelling test and read them a story instead, a story about a lighthouse keeper who collected lost
things: buttons, keys, letters that had never been posted, a single glove. The children listened
with their chins in their hands. When she finished, a quiet boy at the back asked whether the keeper
had ever found out who the glove belonged to. She said that nobody knew, and that perhaps this was
the best part.

In the afternoon they painted pictures of the sea. Some children used thick blue paint and others
mixed green and grey and white until the paper was wet through. One girl painted the whole sheet
gold and called it glimmerwork, which she said was the word for the shine on the water when the sun
comes out after rain. Adaeze pinned it on the wall beside the door, where everyone could see it.

After school she walked along the beach. The tide was going out, leaving long ribbons of weed and
small pools where crabs hid under the stones. A dog ran in circles around its owner, barking at the
waves as if it could frighten them away. Further along, two students were measuring the sand with
a tape and writing numbers in a notebook. They explained that they were studying how the shape of
the beach changed through the seasons, and that the winter storms could move more sand in a single
night than the summer could move in a month.

By evening the rain had arrived. It came in sideways from the west, rattling the windows and
filling the gutters. Adaeze lit the stove, made soup from the last of the carrots and sat down to
mark the spelling tests that the children had not finished. Outside, the street lamps swayed on
their wires. Now and then she heard a door bang somewhere down the hill, and once the low note of a
ship's horn, far out in the dark.

Marcel knocked at nine o'clock, carrying a torch and a basket of tomatoes that he said would not
survive the week. They talked for an hour about books, about the school, about his daughter who
lived in a city far away and telephoned every Sunday. He told her about a bridge he had built over
a wide brown river, and about the village on the far bank where the people had held a party for the
workers when it opened. He still had a photograph of the party, faded now, with everyone smiling
into the sun.

When he had gone home, Adaeze stood at the window again. The storm was easing. Between the clouds
she could see a few stars, and below them the steady light of the lifeboat station, where somebody
was still awake, waiting in case they were needed. She thought about the lighthouse keeper and his
collection of lost things, and about the girl's golden painting, and she decided that tomorrow she
would ask the children to write a story of their own.

The next morning was calm and clear. The harbour was full of broken branches and floating rope, and
the fishermen spent the first hour clearing their decks. The baker gave away the bread that had not
sold the day before. Marcel was in his garden early, tying up the tomato plants that the wind had
flattened, and he waved when he saw her at the gate. The children came to school with stories about
the storm: a fallen tree, a flooded road, a cat that had slept all night in a washing basket. Adaeze
wrote their words on the board, one after another, until it was full.
"""
