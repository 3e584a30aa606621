"""The seed notebook's loop functions, copied faithfully and made runnable.

Source: ``/work/shared/reference/000_59b6d3588b151a4f.txt`` ("Images Entières -
MNIST", January 2022), cells [6], [9], [12] and Part 2 cell [5]. They are the
independent oracle for ``mnist_clustering.metrics``: slow (pure Python loops, and
``y_predicted`` is quadratic), but written without NumPy tricks, so they fail in
different ways from the vectorised code.

Changes from the seed, and nothing else:

* PDF-extraction garbling repaired: the ``labels_found`` dict literal split over two
  lines, ``real label = k`` (a space for the underscore) in ``determiner_label``, the
  missing ``k += 1`` in the ``while`` loop of ``y_predicted``, the two cut-off last
  lines of ``score_entropy`` put back in its body, and the start of ``maxs_tab``
  (cut from the text) reconstructed as ``maxi = [0] * 5`` / ``indexes = [0] * 5``
  followed by the ``if``/``elif`` chain whose visible part is printed in cell [12].
* The notebook read the global ``y_train``; here it is an explicit last argument
  (``y_train``) so the functions can run on any labels.

The bugs are kept on purpose (see SEED_MAP.md): ``score_entropy`` takes the entropy
of image *indices*, ``maxs_tab`` overwrites slots instead of shifting and reports list
position + 2 as k, ``y_predicted`` tests membership in Python lists (quadratic).
"""

from scipy.stats import entropy


# cell [6]
# fonction qui renvoie les positions des images dans le cluster k
def creer_prediction_set(prediction, k):
    prediction_set_k = []
    for i in range(len(prediction)):
        if prediction[i] == k:
            prediction_set_k.append(i)
    return prediction_set_k


# cell [9]
# on écrit une fonction qui calcule l'entropie moyenne pondérée d'un modèle
def score_entropy(prediction, num_clusters):
    entropie_moyenne_ponderee = 0
    for k in range(num_clusters):
        cluster = creer_prediction_set(prediction, k)
        entropy_cluster = entropy(cluster)
        entropie_moyenne_ponderee += len(cluster) * entropy_cluster
    entropie_moyenne_ponderee /= len(prediction)
    return entropie_moyenne_ponderee


# cell [12] (start reconstructed, see the module docstring)
def maxs_tab(tab):
    maxi = [0, 0, 0, 0, 0]
    indexes = [0, 0, 0, 0, 0]
    for i in range(len(tab)):
        if tab[i] > maxi[0]:
            maxi[0] = tab[i]
            indexes[0] = i + 2
        elif tab[i] > maxi[1]:
            maxi[1] = tab[i]
            indexes[1] = i + 2
        elif tab[i] > maxi[2]:
            maxi[2] = tab[i]
            indexes[2] = i + 2
        elif tab[i] > maxi[3]:
            maxi[3] = tab[i]
            indexes[3] = i + 2
        elif tab[i] > maxi[4]:
            maxi[4] = tab[i]
            indexes[4] = i + 2
    return maxi, indexes


# Part 2, cell [5]
# avec la fonction creer_prediction_set, on a les images classées dans un meme cluster
# mais le numero du cluster n'est pas necessairement la valeur du label dominant
# cette fonction détermine quel label les images du cluster ont le plus en commun
def determiner_label(prediction, y_train):
    labels_found = {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0,
                    "8": 0, "9": 0}
    for j in range(len(prediction)):
        i = prediction[j]
        labels_found[str(y_train[i])] += 1
    real_label = 0
    for k in range(10):
        label_multiplicity = labels_found.get(str(k))
        if label_multiplicity > labels_found.get(str(real_label)):
            real_label = k
    return real_label


def erreur_cluster(prediction_set, y_train):
    label_set = determiner_label(prediction_set, y_train)
    nb_erreurs_label = 0
    for i in range(len(prediction_set)):
        label_image = y_train[prediction_set[i]]
        if label_image != label_set:
            nb_erreurs_label += 1
    return nb_erreurs_label


# cette fonction permet d'associer chaque image du set sur lequel on applique notre
# algorithme au label qu'il lui prédit
def y_predicted(clusters, n_clusters, y_train):
    clustering = []
    labelling = []
    for i in range(n_clusters):
        cluster_i = creer_prediction_set(clusters, i)
        label_i = determiner_label(cluster_i, y_train)
        clustering.append(cluster_i)
        labelling.append(label_i)
    y_predict = []
    for i in range(len(clusters)):
        k = 0
        while (i not in clustering[k]):
            k += 1
        y_predict.append(labelling[k])
    return y_predict


def erreurs_totales(clusters, n_clusters, y_train):
    labels_predicted = y_predicted(clusters, n_clusters, y_train)
    nb_erreurs = 0
    for i in range(len(clusters)):
        if y_train[i] != labels_predicted[i]:
            nb_erreurs += 1
    return nb_erreurs
